namespace Storlane.Nvme.Tcp;

/// <summary>
/// Fixed sizes of the NVMe/TCP 1.0 PDUs. Every PDU starts with the 8-byte common header
/// (3.6.1, figure 10):
/// <code>
///  byte 0     1      2      3      4..7
///  +------+-------+------+------+-----------------+
///  | type | flags | HLEN | PDO  | PLEN (LE)       |
///  +------+-------+------+------+-----------------+
/// </code>
/// HLEN is the header length without digest, PDO where the data starts (0: no data), PLEN the
/// whole PDU with digests and padding. A header digest (4 bytes) follows the header, a data digest
/// the data; both are CRC32C sent least significant byte first.
/// </summary>
public static class PduLayout
{
    public const int CommonHeaderLength = 8;
    public const int DigestLength = 4;

    /// <summary>ICReq and ICResp: "HLEN ... shall be set to 128" (3.6.2.2, 3.6.2.3), PLEN 128 too.</summary>
    public const int ICLength = 128;

    /// <summary>CapsuleCmd: common header plus the 64-byte SQE (3.6.2.5).</summary>
    public const int CapsuleCmdHeaderLength = 72;

    /// <summary>CapsuleResp: common header plus the 16-byte CQE (3.6.2.6).</summary>
    public const int CapsuleRespHeaderLength = 24;

    /// <summary>H2CData, C2HData, R2T and the TermReq PDUs have 24-byte headers.</summary>
    public const int DataHeaderLength = 24;

    public const int TermReqHeaderLength = 24;

    /// <summary>"The maximum value of PLEN for a ... TermReq PDU is 152": a header of up to 128 bytes follows (3.6.2.4).</summary>
    public const int MaxTermReqLength = 152;

    // Common header field offsets, the FEI of an invalid header field (3.6.2.4).
    public const uint TypeOffset = 0;
    public const uint FlagsOffset = 1;
    public const uint HlenOffset = 2;
    public const uint PdoOffset = 3;
    public const uint PlenOffset = 4;

    /// <summary>The HLEN a PDU type must carry; 0 for types a host never sends or that do not exist.</summary>
    public static int HeaderLength(PduType type) => type switch
    {
        PduType.ICReq or PduType.ICResp => ICLength,
        PduType.H2CTermReq or PduType.C2HTermReq => TermReqHeaderLength,
        PduType.CapsuleCmd => CapsuleCmdHeaderLength,
        PduType.CapsuleResp => CapsuleRespHeaderLength,
        PduType.H2CData or PduType.C2HData or PduType.R2T => DataHeaderLength,
        _ => 0,
    };
}
