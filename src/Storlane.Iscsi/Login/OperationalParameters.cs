namespace Storlane.Iscsi.Login;

/// <summary>
/// Negotiated operational parameters. Every property starts at its RFC 7143 section 13 default and
/// changes only when a negotiation concludes. Session-wide (SW) values come from the leading
/// connection; connection-only (CO) values (digests, MaxRecvDataSegmentLength) from each connection.
/// </summary>
public sealed class OperationalParameters
{
    public const int DefaultMaxRecvDataSegmentLength = 8192;
    public const int DefaultMaxBurstLength = 262144;
    public const int DefaultFirstBurstLength = 65536;
    public const int DefaultDefaultTime2Wait = 2;
    public const int DefaultDefaultTime2Retain = 20;

    /// <summary>HeaderDigest=CRC32C (13.1, CO, default None).</summary>
    public bool HeaderDigest { get; set; }

    /// <summary>DataDigest=CRC32C (13.1, CO, default None).</summary>
    public bool DataDigest { get; set; }

    /// <summary>MaxConnections (13.2, SW, default 1).</summary>
    public int MaxConnections { get; set; } = 1;

    /// <summary>InitialR2T (13.10, SW, default Yes): Yes forbids unsolicited Data-Out PDUs.</summary>
    public bool InitialR2T { get; set; } = true;

    /// <summary>ImmediateData (13.11, SW, default Yes).</summary>
    public bool ImmediateData { get; set; } = true;

    /// <summary>
    /// MaxRecvDataSegmentLength the initiator declared (13.12, CO, default 8192): the largest data
    /// segment the target may send on this connection.
    /// </summary>
    public int InitiatorMaxRecvDataSegmentLength { get; set; } = DefaultMaxRecvDataSegmentLength;

    /// <summary>
    /// MaxRecvDataSegmentLength the target declared (13.12, CO): the largest data segment the
    /// initiator may send. 8192 until the target has declared its own value.
    /// </summary>
    public int TargetMaxRecvDataSegmentLength { get; set; } = DefaultMaxRecvDataSegmentLength;

    /// <summary>MaxBurstLength (13.13, SW, default 262144).</summary>
    public int MaxBurstLength { get; set; } = DefaultMaxBurstLength;

    /// <summary>FirstBurstLength (13.14, SW, default 65536); never above <see cref="MaxBurstLength"/>.</summary>
    public int FirstBurstLength { get; set; } = DefaultFirstBurstLength;

    /// <summary>DefaultTime2Wait in seconds (13.15, SW, default 2).</summary>
    public int DefaultTime2Wait { get; set; } = DefaultDefaultTime2Wait;

    /// <summary>DefaultTime2Retain in seconds (13.16, SW, default 20).</summary>
    public int DefaultTime2Retain { get; set; } = DefaultDefaultTime2Retain;

    /// <summary>MaxOutstandingR2T per task (13.17, SW, default 1).</summary>
    public int MaxOutstandingR2T { get; set; } = 1;

    /// <summary>DataPDUInOrder (13.18, SW, default Yes).</summary>
    public bool DataPduInOrder { get; set; } = true;

    /// <summary>DataSequenceInOrder (13.19, SW, default Yes).</summary>
    public bool DataSequenceInOrder { get; set; } = true;

    /// <summary>ErrorRecoveryLevel (13.20, SW, default 0).</summary>
    public int ErrorRecoveryLevel { get; set; }

    /// <summary>TaskReporting (13.23, SW, default RFC3720).</summary>
    public TaskReportingMode TaskReporting { get; set; } = TaskReportingMode.Rfc3720;

    /// <summary>iSCSIProtocolLevel (RFC 7144 2.1, SW, default 1).</summary>
    public int IscsiProtocolLevel { get; set; } = 1;
}
