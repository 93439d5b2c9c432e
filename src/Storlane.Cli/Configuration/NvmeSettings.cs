using Storlane.Nvme.Target;

namespace Storlane.Cli.Configuration;

/// <summary>Where NVMe/TCP listens beside iSCSI.</summary>
public enum NvmeListenMode
{
    /// <summary>On the loopback portals only (the default, like the iSCSI default config).</summary>
    Loopback,

    /// <summary>On every portal.</summary>
    All,

    Off,
}

/// <summary>The `nvme:` section and the targets' `nqn` keys.</summary>
public sealed record NvmeSettings
{
    public NvmeListenMode Mode { get; init; } = NvmeListenMode.Loopback;

    public int Port { get; init; } = 4420;

    /// <summary>0: no discovery listener.</summary>
    public int DiscoveryPort { get; init; } = 8009;

    public NvmeLimits Limits { get; init; } = new();

    /// <summary>Configured NQNs by target name; a target without one gets <see cref="NvmeTargetOptions.DeriveNqn"/>.</summary>
    public Dictionary<string, string> NqnByTarget { get; } = new(StringComparer.Ordinal);

    /// <summary>Host NQNs allowed per target name; absent or empty allows every host.</summary>
    public Dictionary<string, List<string>> AllowedHostsByTarget { get; } = new(StringComparer.Ordinal);
}
