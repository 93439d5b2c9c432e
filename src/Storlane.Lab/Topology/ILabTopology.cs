namespace Storlane.Lab.Topology;

/// <summary>
/// A built lab: a storage host and a server host joined by rate-limited links. DisposeAsync removes
/// everything it created (namespaces, links, relays, processes), also after a failure.
/// </summary>
public interface ILabTopology : IAsyncDisposable
{
    LabLinkMode Mode { get; }

    /// <summary>One line for reports, e.g. "network namespaces, veth + tbf 1 Gbit/s".</summary>
    string Description { get; }

    /// <summary>host:port the target must listen on, one per storage port (index = StoragePort).</summary>
    IReadOnlyList<string> PortalAddresses { get; }

    /// <summary>Pathing: N paths (i,i); meshing: every (nic, port) pair.</summary>
    IReadOnlyList<LabPath> Paths { get; }

    /// <summary>Pulls (<paramref name="up"/>=false) or restores the cable of server NIC <paramref name="nic"/>.</summary>
    Task SetServerNicAsync(int nic, bool up, CancellationToken cancellationToken);

    /// <summary>`storlane serve --config FILE` on the storage host; returns once every portal accepts TCP.</summary>
    Task<LabProcess> StartTargetAsync(string configPath, CancellationToken cancellationToken);

    /// <summary>`storlane ARGS` on the server host (e.g. the bench).</summary>
    Task<LabProcess> StartOnServerAsync(IReadOnlyList<string> storlaneArguments, CancellationToken cancellationToken);
}
