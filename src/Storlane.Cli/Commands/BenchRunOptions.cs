namespace Storlane.Cli.Commands;

/// <summary>The parsed options of <c>storlane bench</c>.</summary>
internal sealed record BenchRunOptions(
    IReadOnlyList<string> Targets,
    string Suite,
    int Repeat,
    string Duration,
    string WarmUp,
    string SampleInterval,
    string? JsonPath,
    string? CsvPath,
    string? HtmlPath,
    bool Write = false,
    bool ReadOnly = false);
