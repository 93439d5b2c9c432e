using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// The I_T nexus holding an SPC-2 RESERVE(6)/(10) reservation. SPC-2 reservations belong to one
/// nexus and end with it (SPC-2 7.21), so the holder is named by the gateway process that has the
/// nexus (<see cref="Gateway"/>: gateway name and incarnation) and that process's nexus id; the port
/// names are for READ FULL STATUS-like diagnostics and for humans reading the shared object.
/// </summary>
internal sealed record LegacyHolder(string Gateway, long NexusId, string InitiatorPortName, ushort RelativeTargetPortId)
{
    public bool Is(string gateway, ItNexus nexus) => NexusId == nexus.Id && string.Equals(Gateway, gateway, StringComparison.Ordinal);
}

/// <summary>
/// A unit attention a reservation change raised, kept in the shared state so the gateway that holds
/// the registrant's I_T nexus raises it (SPC-4 5.12.11: the other gateway cannot). Keyed like a
/// registration: initiator port name and relative target port (every port when ALL_TG_PT was set).
/// <see cref="Sequence"/> grows by one per notice, so each gateway raises each notice once.
/// <see cref="Abort"/>: PREEMPT AND ABORT, whose preempted nexuses lose their tasks too (5.12.11.4.4).
/// <see cref="Origin"/> set: not a registrant's notice but the logical unit's, for every I_T nexus of
/// every gateway but the one named (which raised it for its own nexuses itself): MODE PARAMETERS
/// CHANGED (SPC-4 7.5.1), a logical unit or target reset (SAM-5 6.3.3, 6.3.4).
/// </summary>
internal sealed record SharedNotice(long Sequence, AdditionalSense Sense, bool Abort, string InitiatorPortName, ushort RelativeTargetPortId, bool AllTargetPorts, string? Origin = null)
{
    public Registrant Registrant => new(InitiatorPortName, RelativeTargetPortId, AllTargetPorts, Key: 0);
}
