using System.Runtime.CompilerServices;

namespace Storlane.Nvme.Tcp;

/// <summary>A PDU header copied out of the receive buffer (at most 128 bytes, the ICReq), so it outlives the buffer.</summary>
[InlineArray(PduLayout.ICLength)]
public struct PduHeaderBytes
{
    private byte _element0;
}
