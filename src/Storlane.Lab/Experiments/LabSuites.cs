using System.Globalization;

namespace Storlane.Lab.Experiments;

/// <summary>
/// The YAML suites (docs/bench.md) of the MPIO and failover experiments, written next to their results
/// so a run can be repeated with <c>storlane bench --suite FILE</c>.
/// </summary>
public static class LabSuites
{
    public const string SeqRead = "Seq 4MB read";
    public const string SeqWrite = "Seq 4MB write";
    public const string RandomQd16 = "4K QD16 read";
    public const string VerifiedMix = "verified 64K mix";

    /// <summary>
    /// The seed's MPIO rows. A 4 MiB transfer on the seed's Windows host reaches the disk as
    /// several commands in flight at once (the class driver splits at the adapter's maximum
    /// transfer length), which is what lets MPIO spread one stream over paths; Storlane's initiator
    /// splits at 1 MiB but one after another, so the lab states the split itself: 1 MiB sequential
    /// commands, four in flight.
    /// </summary>
    public static string Mpio(double durationSeconds, double warmUpSeconds) => Invariant($"""
        # storlane lab mpio: the seed's MPIO rows (a 4 MiB transfer = four 1 MiB commands in flight).
        name: mpio
        duration: {durationSeconds:0.###}s
        warmup: {warmUpSeconds:0.###}s
        tests:
          - name: {SeqRead}
            size: 1M
            queue_depth: 4
            read: 100
            random: 0
            metric: megabytes_per_second
          - name: {SeqWrite}
            size: 1M
            queue_depth: 4
            read: 0
            random: 0
            metric: megabytes_per_second
          - name: {RandomQd16}
            size: 4K
            queue_depth: 16
            read: 100
            random: 100
            metric: iops

        """);

    /// <summary>
    /// An unmeasured warm-up for a freshly started target: its code runs unoptimized (tiered JIT)
    /// for the first second or so of traffic, which would otherwise count against whichever
    /// configuration happens to run first.
    /// </summary>
    public static string WarmUp(double seconds) => Invariant($"""
        # storlane lab: warms a freshly started target (JIT) before anything is measured.
        name: warm-up
        duration: {seconds:0.###}s
        tests:
          - name: read
            size: 1M
            queue_depth: 4
            read: 100
            random: 0
          - name: write
            size: 1M
            queue_depth: 4
            read: 0
            random: 0
          - name: random
            size: 4K
            queue_depth: 16
            read: 50
            random: 100

        """);

    /// <summary>
    /// The failover workload: random 64 KiB reads and writes, eight in flight, every block stamped
    /// and checked, so an I/O lost or misplaced across a failover is caught, not just slow.
    /// </summary>
    public static string Failover(double durationSeconds) => Invariant($"""
        # storlane lab failover: verified mixed I/O while a path is pulled and restored.
        name: failover
        tests:
          - name: {VerifiedMix}
            duration: {durationSeconds:0.###}s
            size: 64K
            read: 50
            random: 100
            queue_depth: 8
            verify: true
            metric: megabytes_per_second

        """);

    /// <summary>Writes <paramref name="yaml"/> as <paramref name="fileName"/> in <paramref name="directory"/>; returns the path.</summary>
    public static async Task<string> WriteAsync(string directory, string fileName, string yaml, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, fileName);
        await File.WriteAllTextAsync(path, yaml, cancellationToken);
        return path;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
