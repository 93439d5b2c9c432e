namespace Storlane.Lab.Experiments;

/// <summary>
/// The seed's MPIO tests on its hardware model (a server with 4 NICs, a storage array with 2 ports,
/// every link the same rate), plus two policies it did not run. Test A (a 4-NIC LBFO team without
/// MPIO) is Windows teaming, not iSCSI multipath, and is left out.
/// </summary>
public static class MpioConfigurations
{
    private static readonly LabPathChoice[] OneToOne = [new(0, 0), new(1, 1)];

    /// <summary>Every NIC and port pair of the 4x2 mesh, NIC by NIC.</summary>
    private static readonly LabPathChoice[] FullMesh = [.. Enumerable.Range(0, 4).SelectMany(nic => Enumerable.Range(0, 2).Select(port => new LabPathChoice(nic, port)))];

    /// <summary>
    /// F, the partial active mesh: each NIC active to one port (NIC i to port i mod 2), so both
    /// ports take two active NICs; the four crossing paths are standby (round robin with subset).
    /// </summary>
    private static readonly LabPathChoice[] PartialMesh = [.. FullMesh.Select(p => p with { Standby = p.StoragePort != p.ServerNic % 2 })];

    public static IReadOnlyList<MpioConfiguration> All { get; } =
    [
        new("D", "1 NIC to 1 port (control)", Meshed: false, Policy: null, [new(0, 0)]),
        new("C", "2 NICs, 1:1 paths, round robin", Meshed: false, "round-robin", OneToOne),
        new("G", "2 NICs, 1:1 paths, least queue depth", Meshed: false, "least-queue-depth", OneToOne),
        new("FO", "2 NICs, 1:1 paths, failover only", Meshed: false, "failover-only", OneToOne),
        new("W", "2 NICs, 1:1 paths, weighted (1 and 2)", Meshed: false, "weighted-paths", [new(0, 0, Weight: 1), new(1, 1, Weight: 2)]),
        new("B", "4 NICs, full mesh, round robin", Meshed: true, "round-robin", FullMesh),
        new("E", "4 NICs, full mesh, least queue depth", Meshed: true, "least-queue-depth", FullMesh),
        new("F", "4 NICs, partial active mesh, round robin with subset", Meshed: true, "round-robin-with-subset", PartialMesh),
    ];
}
