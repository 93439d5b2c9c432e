namespace Storlane.Lab.Topology;

/// <summary>How the lab's links are built.</summary>
public enum LabLinkMode
{
    /// <summary>Hosts are Linux network namespaces joined by veth pairs (and a bridge), rate-limited with tc tbf.</summary>
    Namespaces,

    /// <summary>Hosts share the lab process's loopback; rate-limiting TCP relays stand for the links.</summary>
    InProcess,
}
