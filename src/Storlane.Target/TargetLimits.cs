namespace Storlane.Target;

/// <summary>
/// What one client, or all of them together, may make the target hold: connections, sessions,
/// time, text, tasks and buffer memory. Every default is generous for a real initiator and small
/// enough that a hostile one cannot take the process down or starve the others.
/// </summary>
public sealed record TargetLimits
{
    /// <summary>Connections open at once across all portals; more are accepted and closed at once.</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>Connections open at once on one portal endpoint.</summary>
    public int MaxConnectionsPerPortal { get; set; } = 512;

    /// <summary>Connections open at once from one source IP address.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 64;

    /// <summary>Normal sessions one target serves at once; a login beyond it gets "out of resources".</summary>
    public int MaxSessionsPerTarget { get; set; } = 256;

    /// <summary>Seconds from accept to full feature phase; a login that takes longer is dropped.</summary>
    public int LoginTimeoutSeconds { get; set; } = 15;

    /// <summary>Seconds a PDU may stay half-received with no byte arriving before the connection is dropped.</summary>
    public int PduStallTimeoutSeconds { get; set; } = 30;

    /// <summary>Bytes of text one negotiation may accumulate over continued (C = 1) Text or Login Requests.</summary>
    public int MaxTextBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Immediate SCSI commands a session may have beyond its command window. RFC 7143 4.2.2.1 lets
    /// the target refuse immediate commands it has no resources for ("Immediate Command Reject").
    /// </summary>
    public int ImmediateCommands { get; set; } = 16;

    /// <summary>Reply bytes queued for one connection's socket before the target stops reading from it.</summary>
    public long MaxQueuedBytesPerConnection { get; set; } = 16L << 20;

    /// <summary>Data-transfer buffer bytes one connection's commands may hold at once.</summary>
    public long MaxBufferBytesPerConnection { get; set; } = 256L << 20;

    /// <summary>Data-transfer buffer bytes all connections together may hold.</summary>
    public long BufferBudgetBytes { get; set; } = 1L << 30;
}
