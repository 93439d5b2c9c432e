using System.Globalization;
using Storlane.Fuzz.Tests.Engine;

namespace Storlane.Fuzz.Tests;

/// <summary>
/// Long runs by hand: <c>dotnet run -c Release --project tests/Storlane.Fuzz.Tests -- --target pdu
/// --iterations 10000000 [--seconds 600] [--seed 12] [--crashes DIR]</c>. Prints one summary line per
/// target; each distinct crash is saved to DIR as <c>&lt;target&gt;-&lt;seed&gt;.bin</c> (copy it to
/// Corpus/crashes to make it a regression test). Exit code 1 when anything crashed, 2 on bad usage.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--make-corpus", var directory])
        {
            return CorpusMaker.MakeAsync(directory).GetAwaiter().GetResult();
        }

        string[] targets = FuzzTargets.Names;
        var options = new FuzzRunOptions { MaxIterations = 1_000_000, CrashDirectory = "fuzz-crashes" };
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i++])
                {
                    case "--target":
                        targets = value == "all" ? FuzzTargets.Names : value.Split(',');
                        _ = targets.Select(FuzzTargets.Create).ToList();
                        break;
                    case "--iterations":
                        options = options with { MaxIterations = long.Parse(value, CultureInfo.InvariantCulture) };
                        break;
                    case "--seconds":
                        options = options with { MaxDuration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) };
                        break;
                    case "--seed":
                        options = options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) };
                        break;
                    case "--crashes":
                        options = options with { CrashDirectory = value };
                        break;
                    default:
                        throw new ArgumentException($"unknown option {args[i - 1]}");
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"storlane-fuzz: {ex.Message}");
            Console.Error.WriteLine("usage: --target pdu|login|cdb|vhdx|connection|all[,...] --iterations N --seconds S --seed N --crashes DIR");
            return 2;
        }

        var crashed = false;
        foreach (var name in targets)
        {
            var run = options with { Progress = (count, elapsed) => Console.Error.WriteLine($"  {name}: {count:N0} inputs, {elapsed.TotalSeconds:F0} s") };
            var report = FuzzRunner.Run(FuzzTargets.Create(name), run);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Target}: {report.Iterations:N0} inputs in {report.Elapsed.TotalSeconds:F1} s ({report.Iterations / Math.Max(report.Elapsed.TotalSeconds, 0.001):N0}/s), seed {options.Seed}, {report.CrashCount} crashes"));
            foreach (var crash in report.DistinctCrashes)
            {
                crashed = true;
                Console.WriteLine($"  {crash.Exception.GetType().Name}: {crash.Exception.Message} -> {crash.SavedTo}");
                Console.WriteLine($"    {crash.Exception.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
            }
        }

        return crashed ? 1 : 0;
    }
}
