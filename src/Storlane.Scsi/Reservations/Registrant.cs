namespace Storlane.Scsi;

/// <summary>
/// One registration (SPC-4 5.12.7): an I_T nexus, named by its initiator port and relative target
/// port so it survives a new session from the same initiator port, and its reservation key.
/// ALL_TG_PT = 1 registers the initiator port through every target port.
/// </summary>
internal sealed record Registrant(string InitiatorPortName, ushort RelativeTargetPortId, bool AllTargetPorts, ulong Key)
{
    public bool Matches(ItNexus nexus) =>
        string.Equals(InitiatorPortName, nexus.InitiatorPortName, StringComparison.Ordinal)
        && (AllTargetPorts || RelativeTargetPortId == nexus.RelativeTargetPortId);

    public bool Matches(Registrant other) =>
        string.Equals(InitiatorPortName, other.InitiatorPortName, StringComparison.Ordinal)
        && RelativeTargetPortId == other.RelativeTargetPortId;
}
