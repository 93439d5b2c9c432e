namespace Storlane.Storage.Vhdx;

public enum VhdxProblemSeverity
{
    Warning,
    Error,
}

/// <summary>One finding of <see cref="VhdxChecker"/>: what is wrong and where in the file.</summary>
public sealed record VhdxProblem(VhdxProblemSeverity Severity, string Structure, long? FileOffset, string Message)
{
    public override string ToString()
    {
        var where = FileOffset is { } offset ? $" at offset {offset} (0x{offset:X})" : string.Empty;
        return $"{(Severity == VhdxProblemSeverity.Error ? "error" : "warning")}: {Structure}{where}: {Message}";
    }
}

/// <summary>The result of checking one VHDX file.</summary>
public sealed class VhdxCheckReport
{
    public List<VhdxProblem> Problems { get; } = [];

    /// <summary>Log entries replayed by --repair.</summary>
    public int ReplayedEntries { get; set; }

    /// <summary>Payload BAT entries examined.</summary>
    public long BlocksChecked { get; set; }

    public bool HasErrors => Problems.Exists(p => p.Severity == VhdxProblemSeverity.Error);

    public void Error(string structure, long? offset, string message) => Problems.Add(new VhdxProblem(VhdxProblemSeverity.Error, structure, offset, message));

    public void Warning(string structure, long? offset, string message) => Problems.Add(new VhdxProblem(VhdxProblemSeverity.Warning, structure, offset, message));
}
