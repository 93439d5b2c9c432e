using System.Globalization;

namespace Storlane.Lab.Experiments;

/// <summary>
/// The demo's YAML suites (docs/bench.md), written next to its results so any part can be rerun
/// with <c>storlane bench --suite FILE</c>. Few rows, each long enough to be measured, not sampled.
/// </summary>
public static class DemoSuites
{
    public const string SeqRead = "seq read 1M QD4";
    public const string RandomRead = "random read 4K QD16";
    public const string RandomWrite = "random write 4K QD16";

    /// <summary>Rows of <see cref="Paths"/> and <see cref="Sectors"/>: the verdicts share alpha among them.</summary>
    public const int PathsRows = 1;

    public const int SectorsRows = 2;

    /// <summary>
    /// Unmeasured time before each run. Every suite runs in a fresh bench process whose first run
    /// was measured while its code was still being compiled (the first run of A came out 10-20%
    /// low), and since A always runs first, that would count against A.
    /// </summary>
    public static double WarmUpSeconds(double durationSeconds) => Math.Min(0.2, durationSeconds / 2);

    /// <summary>
    /// One path against two: 1 MiB sequential reads, four in flight, so round robin has commands to
    /// spread (the MPIO experiment's row). One rate-limited link carries at most ~119 MB/s.
    /// </summary>
    public static string Paths(double durationSeconds) => Invariant($"""
        # storlane demo: one path against two (round robin), sequential 1 MiB reads, four in flight.
        name: demo-paths
        duration: {durationSeconds:0.###}s
        warmup: {WarmUpSeconds(durationSeconds):0.###}s
        tests:
          - name: {SeqRead}
            size: 1M
            queue_depth: 4
            read: 100
            random: 0
            metric: megabytes_per_second

        """);

    /// <summary>
    /// 512 against 4K: the seed's question on the small random I/O where sector size could matter
    /// at all (a sequential stream is held to the link's rate on either LUN).
    /// </summary>
    public static string Sectors(double durationSeconds) => Invariant($"""
        # storlane demo: the 512-byte LUN against the 4096-byte LUN, small random I/O.
        name: demo-sectors
        duration: {durationSeconds:0.###}s
        warmup: {WarmUpSeconds(durationSeconds):0.###}s
        tests:
          - name: {RandomRead}
            size: 4K
            queue_depth: 16
            read: 100
            random: 100
            metric: iops
          - name: {RandomWrite}
            size: 4K
            queue_depth: 16
            read: 0
            random: 100
            metric: iops

        """);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
