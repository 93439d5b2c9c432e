namespace Storlane.Nvme.Tcp;

/// <summary>What a host connection has negotiated and will accept from the controller.</summary>
/// <param name="Initialized">ICResp has arrived; before it only an ICResp (or C2HTermReq) may come.</param>
/// <param name="HeaderDigest">HDGST_ENABLE was negotiated.</param>
/// <param name="DataDigest">DDGST_ENABLE was negotiated.</param>
/// <param name="MaxDataLength">The most data bytes one C2HData PDU may carry (the host's largest transfer).</param>
public readonly record struct HostFramingLimits(bool Initialized, bool HeaderDigest, bool DataDigest, int MaxDataLength) : IPduFramingRules
{
    /// <summary>The longest PDU these limits allow, so a controller can never make the host buffer more.</summary>
    public int MaxPduLength => byte.MaxValue + MaxDataLength + PduLayout.DigestLength;

    public static string Peer => "controller";

    public static PduType Initialization => PduType.ICResp;

    public static PduType TermReq => PduType.C2HTermReq;

    /// <summary>A controller sends ICResp, C2HTermReq, CapsuleResp, C2HData and R2T (3.6.1, figure 10).</summary>
    public static bool Accepts(PduType type) => type is PduType.ICResp or PduType.C2HTermReq or PduType.CapsuleResp or PduType.C2HData or PduType.R2T;

    public static bool RequiresData(PduType type) => type == PduType.C2HData;

    /// <summary>Only C2HData carries data to a host; CapsuleResp and R2T are headers alone.</summary>
    public int DataLimit(PduType type) => type == PduType.C2HData ? MaxDataLength : -1;
}
