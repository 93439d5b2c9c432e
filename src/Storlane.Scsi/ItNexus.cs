namespace Storlane.Scsi;

/// <summary>
/// An I_T nexus (SAM-5 4.6): one initiator port talking to one target port. For iSCSI the
/// initiator port name is "InitiatorName,i,0xISID" and the target port name is
/// "TargetName,t,0xTPGT" (RFC 7143 section 10.1). Unit attentions and reservations are kept per nexus.
/// </summary>
public sealed class ItNexus
{
    private static long _nextId;

    public ItNexus(string initiatorPortName, string targetPortName, ushort relativeTargetPortId, ushort targetPortGroup)
    {
        Id = Interlocked.Increment(ref _nextId);
        InitiatorPortName = initiatorPortName;
        TargetPortName = targetPortName;
        RelativeTargetPortId = relativeTargetPortId;
        TargetPortGroup = targetPortGroup;
    }

    /// <summary>Process-unique id; never reused.</summary>
    public long Id { get; }

    public string InitiatorPortName { get; }

    public string TargetPortName { get; }

    /// <summary>RELATIVE TARGET PORT IDENTIFIER reported in VPD 0x83 (1-based).</summary>
    public ushort RelativeTargetPortId { get; }

    /// <summary>Target port group (the iSCSI portal group tag) for VPD 0x83 and ALUA.</summary>
    public ushort TargetPortGroup { get; }

    public override string ToString() => $"{InitiatorPortName} -> {TargetPortName}";
}
