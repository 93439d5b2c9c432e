namespace Storlane.Lab.Reporting;

/// <summary>The result of <c>storlane lab mpio</c>: one row per configuration, best sequential read first (as the seed orders them).</summary>
public sealed record MpioReport(LabReportHeader Header, double LinkPayloadMegabytesPerSecond, IReadOnlyList<MpioRow> Rows);

/// <summary>One configuration: how its paths were wired and chosen, and its three figures.</summary>
public sealed record MpioRow
{
    /// <summary>The seed's test letter (B-G), or FO / W for the two configurations it did not run.</summary>
    public required string Id { get; init; }

    public required string Description { get; init; }

    /// <summary>"pathing 2x2" or "mesh 4x2".</summary>
    public required string Topology { get; init; }

    /// <summary>The bench's multipath policy; null for the single-path control.</summary>
    public string? Policy { get; init; }

    /// <summary>Each path used, "nic0->port0", with "(standby)" or "(weight N)".</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public required int ActivePaths { get; init; }

    public required int StandbyPaths { get; init; }

    public required MpioFigure SeqRead { get; init; }

    public required MpioFigure SeqWrite { get; init; }

    public required MpioFigure RandomRead { get; init; }

    /// <summary>The bench's result file, relative to the report.</summary>
    public required string BenchJson { get; init; }
}

/// <summary>
/// One test of one configuration: the mean of its primary metric over the runs (MB/s or IOPS) and
/// their standard deviation, mean response time, the deviance from the control D in percent (the
/// seed's "control deviance"), Welch's p of the difference from D (NaN for D itself), and each run's value.
/// </summary>
public sealed record MpioFigure(double Mean, double StandardDeviation, double ResponseMs, double ControlDeviancePercent, double PValueVersusControl, IReadOnlyList<double> Values, long IoErrors)
{
    public int Runs => Values.Count;
}
