namespace Storlane.Nvme.Tcp;

/// <summary>What a connection has negotiated and will accept from the host, checked on every PDU header.</summary>
/// <param name="Initialized">ICReq/ICResp are done; before that only an ICReq may come.</param>
/// <param name="HeaderDigest">HDGST_ENABLE was negotiated.</param>
/// <param name="DataDigest">DDGST_ENABLE was negotiated.</param>
/// <param name="MaxInCapsuleData">The most in-capsule data bytes a CapsuleCmd may carry (IOCCSZ less the SQE).</param>
/// <param name="MaxH2CData">MAXH2CDATA of the ICResp: the most data bytes in one H2CData PDU.</param>
public readonly record struct FramingLimits(bool Initialized, bool HeaderDigest, bool DataDigest, int MaxInCapsuleData, int MaxH2CData)
{
    /// <summary>The longest PDU these limits allow, so nothing larger is ever buffered.</summary>
    public int MaxPduLength => byte.MaxValue + Math.Max(MaxInCapsuleData, MaxH2CData) + PduLayout.DigestLength;
}
