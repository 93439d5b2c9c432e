using System.Buffers;
using System.Diagnostics;
using Storlane.Iscsi;
using Storlane.Iscsi.Initiator;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Session;

/// <summary>NOP-Out pings and keepalive, task management, logout, and text requests (SendTargets).</summary>
public sealed partial class IscsiSession
{
    /// <summary>Sends a NOP-Out ping (11.18) and returns its round-trip time; times out with <see cref="TimeoutException"/>.</summary>
    public async Task<TimeSpan> PingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var task = await RentControlAsync(TaskKind.Ping, deadline.Token).ConfigureAwait(false);
        var pending = task.AsValueTask();
        task.Start(deadline.Token);
        SubmitImmediate(task);
        try
        {
            var result = await pending.ConfigureAwait(false);
            return result.Latency;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Portal} did not answer a NOP-Out ping within {timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>ABORT TASK (11.5.1) for the command with tag <paramref name="referencedItt"/> and CmdSN <paramref name="refCmdSN"/>.</summary>
    public Task AbortTaskAsync(ulong lun, uint referencedItt, uint refCmdSN, CancellationToken cancellationToken = default) =>
        TaskManagementAsync(TaskManagementFunction.AbortTask, Iscsi.Lun.Encode(lun), referencedItt, refCmdSN, cancellationToken);

    /// <summary>ABORT TASK for the command a <see cref="CommandTag"/> followed; a tag not yet sent is refused.</summary>
    public Task AbortTaskAsync(ulong lun, CommandTag tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (!tag.IsSent)
        {
            throw new InvalidOperationException("the command has not been sent yet");
        }

        return AbortTaskAsync(lun, tag.Itt, tag.CmdSN, cancellationToken);
    }

    /// <summary>ABORT TASK SET: every task of this session on the LU.</summary>
    public Task AbortTaskSetAsync(ulong lun, CancellationToken cancellationToken = default) =>
        TaskManagementAsync(TaskManagementFunction.AbortTaskSet, Iscsi.Lun.Encode(lun), Bhs.ReservedTag, 0, cancellationToken);

    /// <summary>LOGICAL UNIT RESET: every task on the LU, from every initiator.</summary>
    public Task LogicalUnitResetAsync(ulong lun, CancellationToken cancellationToken = default) =>
        TaskManagementAsync(TaskManagementFunction.LogicalUnitReset, Iscsi.Lun.Encode(lun), Bhs.ReservedTag, 0, cancellationToken);

    /// <summary>TARGET WARM RESET: every LU of the target.</summary>
    public Task TargetWarmResetAsync(CancellationToken cancellationToken = default) =>
        TaskManagementAsync(TaskManagementFunction.TargetWarmReset, 0, Bhs.ReservedTag, 0, cancellationToken);

    /// <summary>
    /// Logs the session out (11.14, reason "close the session") and waits for the answer; the
    /// connection closes afterwards and <see cref="Terminated"/> completes.
    /// </summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDead();
        var task = await RentControlAsync(TaskKind.Logout, cancellationToken).ConfigureAwait(false);
        task.LogoutReason = LogoutReason.CloseSession;
        var pending = task.AsValueTask();
        task.Start(cancellationToken);
        _loggingOut = true;
        SubmitImmediate(task);
        var result = await pending.ConfigureAwait(false);
        InitiatorLog.LoggedOut(_logger, Portal);
        Fail(new IscsiTransportException(result.ServiceResponse == 0 ? "logged out" : "logout answered " + (LogoutResponse)result.ServiceResponse));
    }

    /// <summary>
    /// A Text Request exchange (11.10): sends <paramref name="pairs"/> and gathers the answer,
    /// following the target's continuations (C bit with a TTT) until the final response.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> TextAsync(IReadOnlyList<KeyValuePair<string, string>> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var request = new ArrayBufferWriter<byte>();
        TextParameters.AppendAll(request, pairs);
        if (request.WrittenCount > Parameters.TargetMaxRecvDataSegmentLength)
        {
            throw new ArgumentException("the text request is longer than the target's MaxRecvDataSegmentLength", nameof(pairs));
        }

        var reply = new ArrayBufferWriter<byte>();
        var task = await RentControlAsync(TaskKind.Text, cancellationToken).ConfigureAwait(false);
        task.TextRequest = request.WrittenMemory;
        task.TextReply = reply;
        var pending = task.AsValueTask();
        task.Start(cancellationToken);
        Submit(task);
        await pending.ConfigureAwait(false);
        var answer = new List<KeyValuePair<string, string>>();
        if (!TextParameters.TryParse(new ReadOnlySequence<byte>(reply.WrittenMemory), answer, out var error))
        {
            throw new IscsiProtocolException(RejectReason.ProtocolError, "malformed text response: " + error);
        }

        return answer;
    }

    /// <summary>SendTargets=All on a discovery session (RFC 7143 Appendix C): every target and its portals.</summary>
    public async Task<IReadOnlyList<DiscoveredTarget>> SendTargetsAsync(CancellationToken cancellationToken = default)
    {
        var answer = await TextAsync([new(TextKeys.SendTargets, "All")], cancellationToken).ConfigureAwait(false);
        return DiscoveredTarget.ParseSendTargets(answer);
    }

    /// <summary>Sends a task management request and waits for "Function complete" (or throws with the response code).</summary>
    internal async Task TaskManagementAsync(TaskManagementFunction function, ulong lunField, uint referencedItt, uint refCmdSN, CancellationToken cancellationToken)
    {
        ThrowIfDead();
        var task = await RentControlAsync(TaskKind.TaskManagement, cancellationToken).ConfigureAwait(false);
        task.Function = function;
        task.LunField = lunField;
        task.ReferencedItt = referencedItt;
        task.RefCmdSN = refCmdSN;
        var pending = task.AsValueTask();
        task.Start(cancellationToken);
        SubmitImmediate(task);
        var result = await pending.ConfigureAwait(false);
        var response = (TaskManagementResponse)result.ServiceResponse;

        // For ABORT TASK, "Task does not exist" means the task already completed: the goal is met.
        if (response != TaskManagementResponse.FunctionComplete
            && !(function == TaskManagementFunction.AbortTask && response == TaskManagementResponse.TaskDoesNotExist))
        {
            throw new IscsiTaskManagementException(function, response);
        }
    }

    private async ValueTask<InitiatorTask> RentControlAsync(TaskKind kind, CancellationToken cancellationToken)
    {
        var task = _tasks.TryRent(out var free) ? free : await _tasks.RentAsync(cancellationToken).ConfigureAwait(false);
        task.Kind = kind;
        task.Tag = null;
        task.Session = this;
        task.LunField = 0;
        task.StartTicks = Stopwatch.GetTimestamp();
        return task;
    }

    /// <summary>
    /// Task Management Function Response (11.6). Once an abort or reset completes, the target sends
    /// nothing more for the tasks it covered ("the target ... MUST NOT send ... responses" for them,
    /// 4.2.3.3), and on one connection every earlier response has already arrived; so the covered
    /// tasks still open here end with TASK ABORTED.
    /// </summary>
    private void OnTaskManagementResponse(Bhs bhs)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        if (task is not { Kind: TaskKind.TaskManagement } || !task.TryFinishProtocol())
        {
            return;
        }

        var response = (TaskManagementResponse)bhs.Byte2;
        if (response == TaskManagementResponse.FunctionComplete)
        {
            switch (task.Function)
            {
                case TaskManagementFunction.AbortTask:
                    if (_tasks.Find(task.ReferencedItt) is { Kind: TaskKind.Scsi } aborted)
                    {
                        AbortLocally(aborted);
                    }

                    break;
                case TaskManagementFunction.AbortTaskSet or TaskManagementFunction.ClearTaskSet or TaskManagementFunction.LogicalUnitReset:
                    _tasks.ForEachInUse(static (t, state) => state.Session.AbortCovered(t, state.LunField, state.CmdSN), (Session: this, task.LunField, task.CmdSN));
                    break;
                case TaskManagementFunction.TargetWarmReset or TaskManagementFunction.TargetColdReset:
                    _tasks.ForEachInUse(static (t, state) => state.Session.AbortCovered(t, null, state.CmdSN), (Session: this, task.CmdSN));
                    break;
            }
        }

        task.CompleteCaller(new ScsiCommandResult(ScsiStatus.Good, (byte)response, null, 0, false, false, Stopwatch.GetElapsedTime(task.StartTicks)));
        task.ReleaseProtocol();
    }

    /// <summary>Ends a SCSI task a LU or target reset covered: sent before the reset, on the LU (or any LU).</summary>
    private void AbortCovered(InitiatorTask task, ulong? lunField, uint resetCmdSN)
    {
        if (task.Kind == TaskKind.Scsi && task.Sent && (lunField is null || task.LunField == lunField)
            && SerialNumber.LessThan(task.CmdSN, resetCmdSN + 1))
        {
            AbortLocally(task);
        }
    }

    private void OnLogoutResponse(Bhs bhs)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        if (task is { Kind: TaskKind.Logout } && task.TryFinishProtocol())
        {
            // Answered: the target holds no task of ours any more, so the connection may close in order.
            Volatile.Write(ref _loggedOut, true);
            task.CompleteCaller(new ScsiCommandResult(ScsiStatus.Good, bhs.Byte2, null, 0, false, false, Stopwatch.GetElapsedTime(task.StartTicks)));
            task.ReleaseProtocol();
        }
    }

    /// <summary>
    /// Text Response (11.11): with C=1 the answer continues and "the initiator MUST ... send a Text
    /// Request with no data" echoing the TTT, which is a new command with a new CmdSN.
    /// </summary>
    private void OnTextResponse(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        var task = _tasks.Find(bhs.InitiatorTaskTag);
        if (task is not { Kind: TaskKind.Text })
        {
            return;
        }

        var reply = task.TextReply!;
        if (reply.WrittenCount + data.Length > 1 << 20)
        {
            IscsiProtocolException.Throw(RejectReason.ProtocolError, "text response longer than 1 MiB");
        }

        foreach (var segment in data)
        {
            reply.Write(segment.Span);
        }

        if (bhs.Continue)
        {
            task.TextTargetTransferTag = bhs.TargetTransferTag;
            task.TextRequest = ReadOnlyMemory<byte>.Empty;
            Submit(task);
            return;
        }

        if (task.TryFinishProtocol())
        {
            task.CompleteCaller(new ScsiCommandResult(ScsiStatus.Good, 0, null, 0, false, false, Stopwatch.GetElapsedTime(task.StartTicks)));
            task.ReleaseProtocol();
        }
    }

    /// <summary>Pings after <see cref="IscsiSessionOptions.KeepaliveInterval"/> of receive silence; an unanswered ping ends the session.</summary>
    private async Task KeepaliveLoopAsync()
    {
        var interval = _options.KeepaliveInterval;
        using var timer = new PeriodicTimer(interval / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceiveTicks)) < interval)
                {
                    continue;
                }

                await PingAsync(_options.KeepaliveTimeout, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The session is stopping.
        }
        catch (TimeoutException ex)
        {
            Fail(new IscsiTransportException(ex.Message, ex));
        }
        catch (IscsiTransportException)
        {
            // Already failed.
        }
    }
}
