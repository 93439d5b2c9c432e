namespace Storlane.Lab.Experiments;

/// <summary>One path a configuration uses: server NIC to storage port, and its multipath role.</summary>
public sealed record LabPathChoice(int ServerNic, int StoragePort, bool Standby = false, int Weight = 0)
{
    /// <summary>"nic0->port0", as <see cref="Topology.LabPath.Label"/> names the path, with "(standby)" or "(weight N)".</summary>
    public override string ToString() => $"nic{ServerNic}->port{StoragePort}{(Standby ? " (standby)" : "")}{(Weight != 0 ? $" (weight {Weight})" : "")}";
}
