using Microsoft.Extensions.Logging;
using Storlane.Iscsi.Chap;
using Storlane.Target.Sessions;

namespace Storlane.Target;

/// <summary>What every connection shares: targets by name, portals for SendTargets, the session registry.</summary>
internal sealed class ServerContext
{
    private readonly long _ticksPerMillisecond;

    public ServerContext(TargetServerOptions options, IReadOnlyDictionary<string, TargetNode> targets, TargetLoggers loggers, TimeProvider time)
    {
        Options = options;
        Time = time;
        _ticksPerMillisecond = Math.Max(1, time.TimestampFrequency / 1000);
        AuthThrottle = new AuthFailureThrottle(time);
        Targets = targets;
        Loggers = loggers;
        DiscoveryChap = options.DiscoveryChap is { } c ? new ChapCredential(c.User, c.Secret) : null;
        Admission = new Connections.ConnectionAdmission(options.Limits, Connections.DescriptorLimit.ConnectionsAllowed(Connections.DescriptorLimit.ReadOpenFilesLimit(), Connections.DescriptorLimit.CountOpen()));
        Buffers = new Connections.BufferBudget(options.Limits.BufferBudgetBytes);
        Connections.TransferBuffers.StartUpkeep(loggers.Memory);
        Heartbeat = new Connections.ConnectionHeartbeat(time, () => NowMilliseconds, static (listener, ex) => ((Connections.IscsiConnection)listener).HeartbeatFailed(ex));
        Metrics = new Observability.TargetMetrics(AllLunCounters, Admission.PerPortal, Sessions.Snapshot);
    }

    /// <summary>Every LUN's counters, read at each metrics collection (so a LUN added while serving shows).</summary>
    private IEnumerable<Observability.LunCounters> AllLunCounters()
    {
        foreach (var target in Targets.Values)
        {
            foreach (var counters in target.Counters.Values)
            {
                yield return counters;
            }
        }
    }

    /// <summary>Every connection's once-a-second timeout checks and pings; disposed when the server stops.</summary>
    public Connections.ConnectionHeartbeat Heartbeat { get; }

    /// <summary>The target's Meter instruments; disposed when the server stops.</summary>
    public Observability.TargetMetrics Metrics { get; }

    public TargetLimits Limits => Options.Limits;

    /// <summary>Open connections, counted against the connection limits.</summary>
    public Connections.ConnectionAdmission Admission { get; }

    /// <summary>Data-transfer buffer bytes held by all connections.</summary>
    public Connections.BufferBudget Buffers { get; }

    public TargetServerOptions Options { get; }

    /// <summary>Targets by name (case-insensitive: iSCSI names are compared after normalization, RFC 7143 4.2.7.1).</summary>
    public IReadOnlyDictionary<string, TargetNode> Targets { get; }

    public SessionRegistry Sessions { get; } = new();

    public TargetLoggers Loggers { get; }

    private long _connectionsAccepted;

    /// <summary>A number for the next connection, unique for the life of the process: what its log lines carry.</summary>
    public long NextConnectionNumber() => Interlocked.Increment(ref _connectionsAccepted);

    public ChapCredential? DiscoveryChap { get; }

    /// <summary>Failed CHAP attempts by initiator name and source address, shared by every portal.</summary>
    public AuthFailureThrottle AuthThrottle { get; }

    /// <summary>The clock of every connection's timeouts and CHAP delays (a fake one in tests).</summary>
    public TimeProvider Time { get; }

    /// <summary>Milliseconds on <see cref="Time"/>'s monotonic clock: what connections stamp and compare timeouts with (no allocation, one division).</summary>
    public long NowMilliseconds => Time.GetTimestamp() / _ticksPerMillisecond;

    /// <summary>Portals listening now (ephemeral ports resolved, wildcards expanded), for SendTargets.</summary>
    public Func<IReadOnlyList<Portals.BoundPortal>> Portals { get; set; } = static () => [];

    /// <summary>Largest transfer one command may ask for; bounds the buffer rented per task.</summary>
    public uint MaxTransferBytes { get; } = 32 * 1024 * 1024;
}
