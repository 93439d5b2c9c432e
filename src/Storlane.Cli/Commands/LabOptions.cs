using System.CommandLine;
using Storlane.Bench.Suites;
using Storlane.Cli.Configuration;
using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;

namespace Storlane.Cli.Commands;

/// <summary>The options every <c>storlane lab</c> experiment (and <c>demo</c>, in part) takes, with their help.</summary>
internal sealed class LabOptions
{
    public static readonly Dictionary<string, LabLinkPreference> LinkNames = new(StringComparer.Ordinal)
    {
        ["auto"] = LabLinkPreference.Auto,
        ["namespaces"] = LabLinkPreference.Namespaces,
        ["in-process"] = LabLinkPreference.InProcess,
    };

    public Option<bool> Short { get; } = new("--short")
    {
        Description = "CI-sized run: about a second per row and 2 repeats (the full run: 5 s and 3 repeats).",
    };

    public Option<string> Links { get; } = new("--links")
    {
        Description = "auto: network namespaces with veth + tc tbf links when root and iproute2 work, else in-process rate-limited relays on 127.0.0.x (the report says which and why); namespaces: those or an error; in-process: relays even as root.",
        HelpName = "auto|namespaces|in-process",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string?> Rate { get; } = new("--rate")
    {
        Description = "Rate of every link: 1gbit or 10gbit. Default: the seed's hardware (sector-size 10gbit, mpio and failover 1gbit).",
        HelpName = "1gbit|10gbit",
    };

    public Option<int?> Repeat { get; } = new("--repeat", "-r")
    {
        Description = "Runs per test (default 3, or 2 with --short; failover: runs per policy, default 1). 3 or more give verdicts with some power.",
        HelpName = "n",
    };

    public Option<string?> Duration { get; } = new("--duration", "-d")
    {
        Description = "Measured time per run (500ms, 2s, 1m). Default 5s, or 1s with --short. Failover sets its own schedule.",
        HelpName = "time",
    };

    public Option<DirectoryInfo?> Output { get; } = new("--output", "-o")
    {
        Description = "Folder for the reports (report.html, report.json, the bench results). Default: $XDG_DATA_HOME/storlane/reports/EXPERIMENT-yyyyMMdd-HHmmss (XDG_DATA_HOME defaults to ~/.local/share); the run prints it at start.",
        HelpName = "dir",
    };

    public LabOptions(bool demo = false)
    {
        Links.AcceptOnlyFromAmong([.. LinkNames.Keys]);
        if (demo)
        {
            // The demo needs no root: in-process links unless asked, and its own short defaults.
            Links.DefaultValueFactory = _ => "in-process";
            Rate.Description = "Rate of every link: 1gbit (default) or 10gbit.";
            Repeat.Description = $"Runs per side of each comparison (default {DemoExperiment.DefaultRepeat}; 2 is the fewest that give a verdict).";
            Duration.Description = $"Measured time per run (default {DemoExperiment.DefaultDurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}s); the pulled-cable run lasts {DemoExperiment.FailoverRunLength.ToString(System.Globalization.CultureInfo.InvariantCulture)} times that.";
        }
    }

    public void AddTo(Command command, bool all = true)
    {
        if (all)
        {
            command.Options.Add(Short);
        }

        command.Options.Add(Links);
        command.Options.Add(Rate);
        command.Options.Add(Repeat);
        command.Options.Add(Duration);
        command.Options.Add(Output);
    }

    /// <summary>Reads the parsed options; a bad value is a message for stderr (exit code 2), nothing else happens.</summary>
    public LabRunOptions? Read(ParseResult parseResult, string experiment, TextWriter error)
    {
        long? rate = null;
        if (parseResult.GetValue(Rate) is { } rateText)
        {
            if (!LabRate.TryParse(rateText, out var bits))
            {
                error.WriteLine($"--rate '{rateText}' is not {LabRate.Expected}");
                return null;
            }

            rate = bits;
        }

        if (parseResult.GetValue(Repeat) is < 1)
        {
            error.WriteLine("--repeat must be 1 or more");
            return null;
        }

        double? duration = null;
        if (parseResult.GetValue(Duration) is { } durationText)
        {
            if (!DurationText.TryParseSeconds(durationText, out var seconds) || seconds <= 0)
            {
                error.WriteLine($"--duration '{durationText}' is not {DurationText.Expected}");
                return null;
            }

            duration = seconds;
        }

        return new LabRunOptions
        {
            Short = parseResult.GetValue(Short),
            Links = LinkNames[parseResult.GetRequiredValue(Links)],
            LinkBitsPerSecond = rate,
            Repeat = parseResult.GetValue(Repeat),
            DurationSeconds = duration,
            OutputDirectory = parseResult.GetValue(Output)?.FullName ?? StorlaneFolders.Reports(StorlaneFolders.FromProcess, experiment, DateTimeOffset.UtcNow),
            CommandLine = "storlane " + string.Join(' ', parseResult.Tokens.Select(t => t.Value)),
        };
    }
}
