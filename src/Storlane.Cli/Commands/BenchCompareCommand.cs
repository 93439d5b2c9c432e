using System.CommandLine;
using Spectre.Console;
using Storlane.Bench.Reporting;
using Storlane.Bench.Statistics;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane bench compare A.json [B.json] [--alpha 0.05] [--json FILE] [--html FILE]</c>: is the difference real, and which side is faster?</summary>
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

        var json = new Option<FileInfo?>("--json") { Description = "Also write the verdicts to this JSON file (schema storlane-bench-compare/1, docs/bench.md).", HelpName = "file" };
        var html = new Option<FileInfo?>("--html") { Description = "Also write the verdicts as a self-contained HTML page.", HelpName = "file" };

        var command = new Command("compare", "Compare two benchmark results test by test: A, B, B-A in percent with its 95% CI, "
            + "Welch's t-test p (Mann-Whitney for latency), raw and Holm-adjusted over the suite's rows, and a verdict at --alpha that says which side is faster and by how much, "
            + "or what these runs could miss, or that too few runs cannot reach --alpha at all. Exit code 0: compared; 1: a file could not be read or written; 2: bad arguments or nothing in common.")
        {
            first,
            second,
            alpha,
            json,
            html,
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

                var (labelA, labelB) = (a.Targets[0].Spec, b.Targets[targetB].Spec);
                var console = BenchConsole.Create(parseResult.InvocationConfiguration.Output);
                CompareTable.Render(console, rows, labelA, labelB, level);
                var report = CompareReport.From(rows, labelA, labelB, level);
                if (parseResult.GetValue(json) is { } jsonFile)
                {
                    await File.WriteAllTextAsync(jsonFile.FullName, report.ToJson(), cancellationToken);
                    console.WriteLine("JSON: " + jsonFile.FullName);
                }

                if (parseResult.GetValue(html) is { } htmlFile)
                {
                    await File.WriteAllTextAsync(htmlFile.FullName, report.ToHtml(), cancellationToken);
                    console.WriteLine("HTML: " + htmlFile.FullName);
                }

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
