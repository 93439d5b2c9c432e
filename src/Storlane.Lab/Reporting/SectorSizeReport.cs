using Storlane.Bench.Reporting;

namespace Storlane.Lab.Reporting;

/// <summary>The result of <c>storlane lab sector-size</c>: 512n against 4Kn and against 512e, row by row.</summary>
public sealed record SectorSizeReport(LabReportHeader Header, IReadOnlyList<SectorComparison> Comparisons);

/// <summary>
/// One pair of LUNs benchmarked together (runs interleaved A B B A), compared by
/// <see cref="ReportComparer"/>: per row both means, the difference, its 95% CI, p and verdict.
/// <paramref name="BenchJson"/> and <paramref name="BenchHtml"/> are the bench's own files, relative to the report.
/// </summary>
public sealed record SectorComparison(string LabelA, string LabelB, string BenchJson, string? BenchHtml, IReadOnlyList<RowComparison> Rows);
