using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>
/// A non-data PDU queued for the writer loop (login, text, NOP-In, TMF and logout responses,
/// Reject, Async). Rare enough that one small object per PDU is fine; the hot path uses
/// <see cref="TargetTask"/> instead. The writer stamps StatSN, ExpCmdSN and MaxCmdSN.
/// </summary>
internal sealed class ControlPdu
{
    private ControlPdu(Opcode opcode)
    {
        new Bhs(Header).Initialize(opcode);
    }

    public byte[] Header { get; } = new byte[Bhs.Length];

    public byte[] Data { get; set; } = [];

    /// <summary>Whether this PDU consumes a StatSN (status-bearing PDUs do; pings and R2Ts do not).</summary>
    public bool AdvancesStatSN { get; set; } = true;

    /// <summary>Close the connection once this PDU is on the wire (logout response, fatal reject, failed login).</summary>
    public bool CloseAfter { get; set; }

    /// <summary>
    /// The session's negotiated parameters, which the writer applies from the next PDU on: set on the
    /// final login response, since digests start with the PDU after it (RFC 7143 13.1) and Data-In is
    /// sized by the initiator's MaxRecvDataSegmentLength and MaxBurstLength (13.12, 13.13).
    /// </summary>
    public OperationalParameters? ApplyAfter { get; set; }

    public Bhs Bhs => new(Header);

    public static ControlPdu Create(Opcode opcode) => new(opcode);
}
