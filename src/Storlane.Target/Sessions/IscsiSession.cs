using Storlane.Iscsi.Login;
using Storlane.Scsi;
using Storlane.Target.Connections;

namespace Storlane.Target.Sessions;

/// <summary>
/// An iSCSI session (RFC 7143 3.4): one I_T nexus, its negotiated parameters, its command window
/// and, at ErrorRecoveryLevel 0 with MaxConnections=1, exactly one connection.
/// </summary>
internal sealed class IscsiSession
{
    public IscsiSession(ulong isid, string initiatorName, SessionType type, TargetNode? target, LoginNegotiator negotiator, CommandWindow window, ItNexus? nexus)
    {
        Isid = isid;
        InitiatorName = initiatorName;
        Type = type;
        Target = target;
        Negotiator = negotiator;
        Window = window;
        Nexus = nexus;
    }

    public ushort Tsih { get; set; }

    public ulong Isid { get; }

    public string InitiatorName { get; }

    public string TargetName => Target?.Name ?? string.Empty;

    public SessionType Type { get; }

    /// <summary>The target of a normal session; null for discovery.</summary>
    public TargetNode? Target { get; }

    /// <summary>The login's negotiator, kept for Text-request renegotiation in full feature phase.</summary>
    public LoginNegotiator Negotiator { get; }

    public OperationalParameters Parameters => Negotiator.Parameters;

    public CommandWindow Window { get; }

    public ItNexus? Nexus { get; }

    public IscsiConnection? Connection { get; set; }

    /// <summary>Commands, PDUs, digest errors and R2Ts, for metrics.</summary>
    public Observability.SessionCounters Counters { get; } = new();
}
