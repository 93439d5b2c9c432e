using System.Collections.Concurrent;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Port;

/// <summary>
/// The port layer over one transport (one I_T nexus), after Storport: a queue per LU with its own
/// outstanding limit and no adapter-wide cap, pause/resume and busy/ready per LU and for the whole
/// port, BUSY and TASK SET FULL answered with back-off and a lower LU depth, and the reset ladder
/// for commands that time out. A reconnected session is swapped in with <see cref="Attach"/>; the
/// LU queues, their depth and their counters carry over.
/// </summary>
public sealed partial class ScsiPort : IAsyncDisposable
{
    private readonly PortOptions _options;
    private readonly ConcurrentDictionary<ulong, LunQueue> _luns = new();
    private readonly Func<ulong, LunQueue> _createLun;
    private readonly ITimer? _timeoutTimer;
    private IScsiTransport _transport;
    private int _outstanding;
    private long _outstandingBytes;
    private int _paused;
    private long _busyUntilTicks;

    public ScsiPort(IScsiTransport transport, PortOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _options = options ?? new PortOptions();
        _createLun = lun => new LunQueue(this, lun, _options);
        if (_options.CommandTimeout > TimeSpan.Zero)
        {
            _timeoutTimer = _options.Time.CreateTimer(static state => ((ScsiPort)state!).ScanForTimeouts(), this, _options.TimeoutScanInterval, _options.TimeoutScanInterval);
        }
    }

    public IScsiTransport Transport => Volatile.Read(ref _transport);

    public PortOptions Options => _options;

    /// <summary>Commands outstanding on this port, across all its LUs (what LeastQueueDepth counts, as MSDSM does).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Data bytes in those commands (what ServiceTime and LeastBlocks count).</summary>
    public long OutstandingBytes => Volatile.Read(ref _outstandingBytes);

    public bool IsPaused => Volatile.Read(ref _paused) != 0;

    internal long BusyUntilTicks => Volatile.Read(ref _busyUntilTicks);

    /// <summary>A reset ladder rung was tried.</summary>
    public event Action<ResetLadderEvent>? ResetLadderStep;

    /// <summary>A LU answered BUSY or TASK SET FULL.</summary>
    public event Action<QueueFullEvent>? QueueFull;

    /// <summary>The queue of <paramref name="lun"/>, created on first use.</summary>
    public LunQueue Lun(ulong lun) => _luns.GetOrAdd(lun, _createLun);

    /// <summary>Swaps in a new session for the same path (after a reconnect); queued commands go to it.</summary>
    public void Attach(IScsiTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Volatile.Write(ref _transport, transport);
    }

    /// <summary>Admits nothing on any LU (LinkDown, StorPortPause) until <see cref="Resume"/>; outstanding commands go on.</summary>
    public void Pause() => Volatile.Write(ref _paused, 1);

    public void Resume()
    {
        Volatile.Write(ref _paused, 0);
        WakeAll();
    }

    /// <summary>Admits nothing for <paramref name="duration"/> (StorPortBusy); <see cref="Ready"/> ends it early.</summary>
    public void Busy(TimeSpan duration) =>
        Volatile.Write(ref _busyUntilTicks, _options.Time.GetTimestamp() + (long)(duration.TotalSeconds * _options.Time.TimestampFrequency));

    public void Ready()
    {
        Volatile.Write(ref _busyUntilTicks, 0);
        WakeAll();
    }

    /// <summary>
    /// Runs one command through the LU's queue. BUSY and TASK SET FULL are retried after a back-off
    /// (up to <see cref="PortOptions.BusyRetries"/>); a command the reset ladder had to end throws
    /// <see cref="PortCommandTimeoutException"/>; a lost connection throws <see cref="IscsiTransportException"/>.
    /// </summary>
    public async ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken = default)
    {
        var queue = Lun(lun);
        var bytes = dataIn.Length + dataOut.Length;
        for (var attempt = 0; ; attempt++)
        {
            var request = await queue.AcquireAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _outstanding);
            Interlocked.Add(ref _outstandingBytes, bytes);
            ScsiCommandResult result;
            int outstandingOnLun;
            bool timedOut;
            try
            {
                result = await Transport.ExecuteAsync(lun, cdb, dataIn, dataOut, request.Tag, cancellationToken).ConfigureAwait(false);
                outstandingOnLun = queue.Outstanding;
                timedOut = request.Escalated;
            }
            finally
            {
                Interlocked.Decrement(ref _outstanding);
                Interlocked.Add(ref _outstandingBytes, -bytes);
                queue.Release(request);
            }

            if (timedOut && result.Status == ScsiStatus.TaskAborted)
            {
                throw new PortCommandTimeoutException($"a command to LUN {lun} on {Transport.Name} did not complete within {_options.CommandTimeout.TotalSeconds:0.###} s and was aborted");
            }

            if (result.Status is ScsiStatus.Busy or ScsiStatus.TaskSetFull && attempt < _options.BusyRetries)
            {
                var (depth, backoff) = queue.OnQueueFull(result.Status == ScsiStatus.TaskSetFull, outstandingOnLun);
                QueueFull?.Invoke(new QueueFullEvent(Transport.Name, lun, result.Status, depth, backoff));
                continue;
            }

            if (result.IsGood)
            {
                queue.OnGood();
            }

            return result;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_timeoutTimer is not null)
        {
            await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void WakeAll()
    {
        foreach (var queue in _luns.Values)
        {
            queue.WakeAll();
        }
    }
}
