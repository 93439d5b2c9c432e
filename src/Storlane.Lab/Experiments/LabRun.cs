namespace Storlane.Lab.Experiments;

/// <summary>What an experiment leaves behind: its report, and where the files are.</summary>
public sealed record LabRun<TReport>(TReport Report, string OutputDirectory, string HtmlPath, string JsonPath);
