namespace Storlane.Scsi;

/// <summary>
/// An I_T nexus that prevents removal of the medium (SBC-3 5.11 PREVENT ALLOW MEDIUM REMOVAL, PREVENT
/// 01b). A prevention belongs to one nexus and ends with it, so, like an SPC-2 reservation's
/// <see cref="LegacyHolder"/>, it is named by the gateway process that has the nexus (name and
/// incarnation) and that process's nexus id; the port names are for humans reading the shared object.
/// </summary>
internal sealed record MediumPrevention(string Gateway, long NexusId, string InitiatorPortName, ushort RelativeTargetPortId)
{
    public bool Is(string gateway, long nexusId) => NexusId == nexusId && string.Equals(Gateway, gateway, StringComparison.Ordinal);
}
