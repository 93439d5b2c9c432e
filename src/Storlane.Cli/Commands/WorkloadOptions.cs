using System.CommandLine;

namespace Storlane.Cli.Commands;

/// <summary>
/// The option shapes <c>storlane bench</c> and <c>storlane io</c> both declare: what to run
/// against (required, repeatable), times (parsed by <see cref="Bench.Suites.DurationText"/> later, so they stay
/// text here) and counts. Each command keeps its own names, help and defaults; only the shape is here.
/// </summary>
internal static class WorkloadOptions
{
    /// <summary>The required option naming what the workload runs against, one or more times (bench --target, io --url).</summary>
    public static Option<string[]> Targets(string name, string alias, string helpName, string description) => new(name, alias)
    {
        Description = description,
        HelpName = helpName,
        Required = true,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>A time such as 500ms, 5s or 1m, checked when the command runs.</summary>
    public static Option<string> Time(string name, string? alias, string description, string defaultValue) => new(name, Aliases(alias))
    {
        Description = description,
        HelpName = "time",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>A whole number (runs, queue depth), checked when the command runs.</summary>
    public static Option<int> Count(string name, string alias, string description, int defaultValue) => new(name, alias)
    {
        Description = description,
        HelpName = "n",
        DefaultValueFactory = _ => defaultValue,
    };

    private static string[] Aliases(string? alias) => alias is null ? [] : [alias];
}
