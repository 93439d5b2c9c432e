using Storlane.Initiator.Port;
using Storlane.Initiator.Session;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Tests.Port;

/// <summary>How a fake task management function answers.</summary>
internal enum TmfBehavior
{
    Complete,
    Refuse,
    Hang,
}

/// <summary>
/// A transport whose commands answer what <see cref="Respond"/> says (null: hang until a task
/// management function or <see cref="Drop"/> ends them). It counts commands in flight per LU.
/// </summary>
internal sealed class FakeTransport : IScsiTransport
{
    private readonly Lock _lock = new();
    private readonly List<(ulong Lun, CommandTag Tag, TaskCompletionSource<ScsiCommandResult> Answer)> _hung = [];
    private readonly Dictionary<ulong, int> _inFlight = [];
    private readonly Dictionary<ulong, int> _maxInFlight = [];
    private readonly TaskCompletionSource<Exception> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _itt;

    /// <summary>Given the LU and how many commands are in flight on it (this one included): the status, or null to hang.</summary>
    public Func<ulong, int, ScsiStatus?> Respond { get; set; } = (_, _) => ScsiStatus.Good;

    public TimeSpan Delay { get; set; }

    public TmfBehavior AbortTask { get; set; }

    public TmfBehavior LogicalUnitReset { get; set; }

    public TmfBehavior TargetWarmReset { get; set; }

    public string Name => "fake";

    public bool IsConnected => !_terminated.Task.IsCompleted;

    public Task<Exception> Terminated => _terminated.Task;

    public int MaxInFlight(ulong lun)
    {
        lock (_lock)
        {
            return _maxInFlight.GetValueOrDefault(lun);
        }
    }

    public int TotalMaxInFlight { get; private set; }

    public async ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag tag, CancellationToken cancellationToken)
    {
        if (!IsConnected)
        {
            throw new IscsiTransportException("fake connection is gone");
        }

        int inFlight;
        lock (_lock)
        {
            inFlight = _inFlight[lun] = _inFlight.GetValueOrDefault(lun) + 1;
            _maxInFlight[lun] = Math.Max(_maxInFlight.GetValueOrDefault(lun), inFlight);
            var total = _inFlight.Values.Sum();
            TotalMaxInFlight = Math.Max(TotalMaxInFlight, total);
        }

        tag.MarkSent(Interlocked.Increment(ref _itt), _itt);
        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            var status = Respond(lun, inFlight);
            if (status is { } answer)
            {
                return new ScsiCommandResult(answer, 0, null, 0, false, false, Delay);
            }

            var hung = new TaskCompletionSource<ScsiCommandResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _hung.Add((lun, tag, hung));
            }

            return await hung.Task;
        }
        finally
        {
            lock (_lock)
            {
                _inFlight[lun]--;
            }
        }
    }

    public Task AbortTaskAsync(ulong lun, CommandTag tag, CancellationToken cancellationToken) =>
        Tmf(AbortTask, TaskManagementFunction.AbortTask, h => h.Tag == tag, cancellationToken);

    public Task LogicalUnitResetAsync(ulong lun, CancellationToken cancellationToken) =>
        Tmf(LogicalUnitReset, TaskManagementFunction.LogicalUnitReset, h => h.Lun == lun, cancellationToken);

    public Task TargetWarmResetAsync(CancellationToken cancellationToken) =>
        Tmf(TargetWarmReset, TaskManagementFunction.TargetWarmReset, _ => true, cancellationToken);

    public Task<TimeSpan> PingAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(TimeSpan.Zero);

    public void Drop(string reason)
    {
        var failure = new IscsiTransportException(reason);
        _terminated.TrySetResult(failure);
        lock (_lock)
        {
            foreach (var hung in _hung)
            {
                hung.Answer.TrySetException(failure);
            }

            _hung.Clear();
        }
    }

    private async Task Tmf(TmfBehavior behavior, TaskManagementFunction function, Func<(ulong Lun, CommandTag Tag, TaskCompletionSource<ScsiCommandResult> Answer), bool> covers, CancellationToken cancellationToken)
    {
        switch (behavior)
        {
            case TmfBehavior.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case TmfBehavior.Refuse:
                throw new IscsiTaskManagementException(function, TaskManagementResponse.FunctionRejected);
        }

        lock (_lock)
        {
            for (var i = _hung.Count - 1; i >= 0; i--)
            {
                if (covers(_hung[i]))
                {
                    _hung[i].Answer.TrySetResult(new ScsiCommandResult(ScsiStatus.TaskAborted, 0, null, 0, false, false, TimeSpan.Zero));
                    _hung.RemoveAt(i);
                }
            }
        }
    }
}
