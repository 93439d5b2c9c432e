using System.Diagnostics;
using Storlane.Initiator.Port;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;

namespace Storlane.Initiator.Multipath;

/// <summary>
/// One path to the LU: a portal, its current session and port, its health and ALUA state, and its
/// counters. The session is replaced when the path reconnects; the port (and its LU queue) stays.
/// Session and port belong to the path's <see cref="PathConnection"/>, which the LUs of a
/// <see cref="MultipathTarget"/> share; health, ALUA state and counters are this LU's own.
/// </summary>
public sealed class MultipathPath : ISelectablePath
{
    private IScsiTransport? _transport;
    private ScsiPort? _port;
    private long _completed;
    private long _errors;
    private long _bytes;
    private long _lastGoodTimestamp;
    private long _latencyTicks;
    private int _inFlight;

    internal MultipathPath(int index, IscsiUrl url, PathHealth health, PathConnection connection, bool ownsConnection)
        : this(index, url.PathName, (ulong)url.Lun!.Value, health, connection, ownsConnection)
    {
        Url = url;
    }

    internal MultipathPath(int index, string name, ulong lun, PathHealth health, IPathConnection connection, bool ownsConnection)
    {
        Index = index;
        Lun = lun;
        Name = name;
        Health = health;
        Connection = connection;
        OwnsConnection = ownsConnection;
    }

    public int Index { get; }

    /// <summary>"host:port" of the portal, with " via " and the source address when the URL binds one (<see cref="IscsiUrl.PathName"/>).</summary>
    public string Name { get; }

    /// <summary>The iSCSI URL of the path; null for an NVMe/TCP path.</summary>
    public IscsiUrl? Url { get; }

    /// <summary>The LUN (iSCSI) or NSID (NVMe/TCP) this path reaches.</summary>
    public ulong Lun { get; }

    /// <summary>The iSCSI session in use, or null while the path has none (never connected, or reconnecting), or is NVMe/TCP.</summary>
    public IscsiSession? Session => (Transport as IscsiSessionTransport)?.Session;

    /// <summary>The transport in use (an iSCSI session or an NVMe/TCP association), or null while the path has none.</summary>
    public IScsiTransport? Transport => Volatile.Read(ref _transport);

    /// <summary>The port layer of this path (shared by every LU on the path); null until this LU is open on it.</summary>
    public ScsiPort? Port => Volatile.Read(ref _port);

    public PathHealth Health { get; }

    public PathState State => Health.State;

    /// <summary>Target port group this path's port belongs to (VPD 83h type 5), when reported.</summary>
    public ushort? TargetPortGroup { get; internal set; }

    public AluaState AccessState { get; internal set; } = AluaState.ActiveOptimized;

    public DeviceDesignator? Designator { get; internal set; }

    public int Outstanding => Port?.Outstanding ?? 0;

    public long OutstandingBytes => Port?.OutstandingBytes ?? 0;

    public int Weight { get; set; }

    public bool IsStandby { get; set; }

    public double RelativeThroughput { get; set; } = 1.0;

    /// <summary>I/Os that completed on this path with an answer from the target.</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>I/Os that failed here with a transport error or a timeout (and were reissued).</summary>
    public long Errors => Volatile.Read(ref _errors);

    public long BytesTransferred => Volatile.Read(ref _bytes);

    /// <summary>EWMA (1/8) of completion latency on this path.</summary>
    public TimeSpan AverageLatency => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _latencyTicks));

    /// <summary>Multipath I/Os issued here whose outcome (completion, or reissue elsewhere) is not settled yet.</summary>
    internal int InFlight => Volatile.Read(ref _inFlight);

    internal long LastGoodTimestamp => Volatile.Read(ref _lastGoodTimestamp);

    internal DateTime NextReconnect { get; set; }

    internal TimeSpan ReconnectDelay { get; set; }

    internal IPathConnection Connection { get; }

    /// <summary>True for a standalone disk's path, whose session the disk closes; false when a <see cref="MultipathTarget"/> shares it.</summary>
    internal bool OwnsConnection { get; }

    /// <summary>This LU is open on <paramref name="transport"/> (the connection's current one): the path may carry I/O.</summary>
    internal void Attach(IScsiTransport transport)
    {
        Volatile.Write(ref _port, Connection.Port);
        Volatile.Write(ref _transport, transport);
    }

    internal void BeginIo() => Interlocked.Increment(ref _inFlight);

    internal void EndIo() => Interlocked.Decrement(ref _inFlight);

    internal void OnCompleted(TimeSpan latency, int bytes, bool good)
    {
        Interlocked.Increment(ref _completed);
        Interlocked.Add(ref _bytes, bytes);
        if (good)
        {
            Volatile.Write(ref _lastGoodTimestamp, Stopwatch.GetTimestamp());
        }

        var sample = latency.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        var average = Volatile.Read(ref _latencyTicks);
        Volatile.Write(ref _latencyTicks, average == 0 ? sample : average + ((sample - average) / 8));
    }

    internal void OnError() => Interlocked.Increment(ref _errors);

    public override string ToString() => Name + " (" + State + ")";
}
