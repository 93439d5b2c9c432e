using System.CommandLine;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane bench compare A.json [B.json] [--alpha 0.05]</c>: is the difference real?</summary>
internal static class BenchCompareCommand
{
    public static Command Create()
    {
        var first = new Argument<FileInfo>("a") { Description = "Result file of configuration A (from 'storlane bench --json')." };
        var second = new Argument<FileInfo?>("b")
        {
            Description = "Result file of configuration B. Omit it when A benchmarked two targets together: A is compared with its second target.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var alpha = new Option<double>("--alpha")
        {
            Description = "Significance level of the verdict.",
            DefaultValueFactory = _ => Comparison.DefaultAlpha,
        };
        alpha.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or >= 1)
            {
                result.AddError("--alpha must be between 0 and 1 (exclusive)");
            }
        });

        var command = new Command("compare", "Compare two benchmark results test by test: A, B, diff, diff %, 95% CI of the difference, "
            + "Welch's t-test p (Mann-Whitney for latency), a verdict at --alpha and the minimum detectable difference.")
        {
            first,
            second,
            alpha,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var a = await JsonReport.ReadAsync(parseResult.GetRequiredValue(first).FullName, cancellationToken);
                var bFile = parseResult.GetValue(second);
                var b = bFile is null ? a : await JsonReport.ReadAsync(bFile.FullName, cancellationToken);
                if (bFile is null && a.Targets.Count < 2)
                {
                    error.WriteLine("give two result files, or one that benchmarked two targets (--target A --target B)");
                    return ExitCodes.ConfigError;
                }

                var targetB = bFile is null ? 1 : 0;
                var level = parseResult.GetValue(alpha);
                var rows = ReportComparer.Compare(a, b, 0, targetB, level);
                if (rows.Count == 0)
                {
                    error.WriteLine("the two results have no test in common");
                    return ExitCodes.ConfigError;
                }

                CompareTable.Render(BenchConsole.Create(parseResult.InvocationConfiguration.Output), rows, a.Targets[0].Spec, b.Targets[targetB].Spec, level);
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine(ex.Message);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
