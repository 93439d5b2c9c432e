namespace Storlane.Nvme.Tcp;

/// <summary>What a controller's connection has negotiated and will accept from the host, checked on every PDU header.</summary>
/// <param name="Initialized">ICReq/ICResp are done; before that only an ICReq may come.</param>
/// <param name="HeaderDigest">HDGST_ENABLE was negotiated.</param>
/// <param name="DataDigest">DDGST_ENABLE was negotiated.</param>
/// <param name="MaxInCapsuleData">The most in-capsule data bytes a CapsuleCmd may carry (IOCCSZ less the SQE).</param>
/// <param name="MaxH2CData">MAXH2CDATA of the ICResp: the most data bytes in one H2CData PDU.</param>
public readonly record struct FramingLimits(bool Initialized, bool HeaderDigest, bool DataDigest, int MaxInCapsuleData, int MaxH2CData) : IPduFramingRules
{
    /// <summary>The longest PDU these limits allow, so nothing larger is ever buffered.</summary>
    public int MaxPduLength => byte.MaxValue + Math.Max(MaxInCapsuleData, MaxH2CData) + PduLayout.DigestLength;

    public static string Peer => "host";

    public static PduType Initialization => PduType.ICReq;

    public static PduType TermReq => PduType.H2CTermReq;

    /// <summary>A host sends ICReq, H2CTermReq, CapsuleCmd and H2CData (3.6.1, figure 10).</summary>
    public static bool Accepts(PduType type) => type is PduType.ICReq or PduType.H2CTermReq or PduType.CapsuleCmd or PduType.H2CData;

    public static bool RequiresData(PduType type) => type == PduType.H2CData;

    /// <summary>In-capsule data is bounded by the capsule size, H2CData by MAXH2CDATA (3.6.2.3).</summary>
    public int DataLimit(PduType type) => type switch
    {
        PduType.CapsuleCmd => MaxInCapsuleData,
        PduType.H2CData => MaxH2CData,
        _ => -1,
    };
}
