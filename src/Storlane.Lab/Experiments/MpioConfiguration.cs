namespace Storlane.Lab.Experiments;

/// <summary>
/// One configuration of the MPIO experiment: its seed letter, the wiring (pathing 2x2 or a mesh of
/// 4 server NICs to 2 storage ports), the bench's multipath policy (null: a single path), and the paths.
/// </summary>
public sealed record MpioConfiguration(string Id, string Description, bool Meshed, string? Policy, IReadOnlyList<LabPathChoice> Paths)
{
    public int StandbyPaths => Paths.Count(p => p.Standby);

    public string Topology => Meshed ? "mesh 4x2" : "pathing 2x2";
}
