namespace Storlane.Nvme.Tcp;

/// <summary>PDU-Type of the common header (NVMe/TCP 1.0, 3.6.1, figure 10).</summary>
public enum PduType : byte
{
    ICReq = 0x00,
    ICResp = 0x01,
    H2CTermReq = 0x02,
    C2HTermReq = 0x03,
    CapsuleCmd = 0x04,
    CapsuleResp = 0x05,
    H2CData = 0x06,
    C2HData = 0x07,
    R2T = 0x09,
}

/// <summary>FLAGS of the common header (NVMe/TCP 1.0, 3.6.1): digest presence and data-PDU markers.</summary>
[Flags]
public enum PduFlags : byte
{
    None = 0,

    /// <summary>HDGSTF: a header digest follows the PDU header.</summary>
    HeaderDigest = 0x01,

    /// <summary>DDGSTF: a data digest follows the PDU data.</summary>
    DataDigest = 0x02,

    /// <summary>LAST_PDU of an H2CData/C2HData sequence.</summary>
    LastPdu = 0x04,

    /// <summary>SUCCESS of a C2HData PDU (the command completes without a CapsuleResp).</summary>
    Success = 0x08,
}

/// <summary>FES of C2HTermReq/H2CTermReq (NVMe/TCP 1.0, 3.6.2.4, figure 23).</summary>
public enum FatalErrorStatus : ushort
{
    InvalidPduHeaderField = 0x01,
    PduSequenceError = 0x02,
    HeaderDigestError = 0x03,
    DataTransferOutOfRange = 0x04,

    /// <summary>H2CData DATAL above MAXH2CDATA, or in-capsule data above the capsule size (0x05 in both term requests).</summary>
    DataTransferLimitExceeded = 0x05,
    UnsupportedParameter = 0x06,
}
