using Microsoft.Extensions.Logging;
using Storlane.Target;
using Storlane.Target.Portals;

namespace Storlane.TestSupport;

/// <summary>How to start a <see cref="LoopbackTarget"/>; every default is what most tests want.</summary>
public sealed record LoopbackTargetOptions
{
    /// <summary>The target's iSCSI name.</summary>
    public string TargetName { get; init; } = LoopbackTarget.DefaultName;

    /// <summary>
    /// One portal per address, each on an ephemeral port in its own portal group (1, 2, ...): two
    /// portals are two paths to the same LUs. Loopback addresses only (127.0.0.0/8).
    /// </summary>
    public IReadOnlyList<string> PortalAddresses { get; init; } = ["127.0.0.1", "127.0.0.1"];

    /// <summary>The LUs; null serves <see cref="LoopbackTarget.DefaultLuns"/>.</summary>
    public IReadOnlyList<LunOptions>? Luns { get; init; }

    /// <summary>Where the target logs; null discards it.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The host's addresses for wildcard portals; null watches the OS's.</summary>
    public ILocalAddressSource? LocalAddresses { get; init; }

    /// <summary>The target's clock (a FakeTimeProvider to step timeouts); null is the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Last changes to the server and target options before the server starts.</summary>
    public Action<TargetServerOptions, TargetOptions>? Configure { get; init; }
}
