namespace Storlane.Lab.Topology.InProcess;

/// <summary>The two directions of one full-duplex link (a server NIC's or a storage port's cable to the switch).</summary>
internal sealed class LinkBuckets(long bitsPerSecond)
{
    /// <summary>From the host into the network.</summary>
    public TokenBucket Outbound { get; } = new(bitsPerSecond);

    /// <summary>From the network into the host.</summary>
    public TokenBucket Inbound { get; } = new(bitsPerSecond);
}
