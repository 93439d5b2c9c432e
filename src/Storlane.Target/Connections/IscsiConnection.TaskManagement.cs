using Storlane.Iscsi;
using Storlane.Iscsi.Pdu;
using Storlane.Scsi;

namespace Storlane.Target.Connections;

/// <summary>Task management (RFC 7143 11.5, 11.6; SAM-5 7).</summary>
internal sealed partial class IscsiConnection
{
    private void HandleTaskManagement(Bhs bhs)
    {
        var session = _session!;
        var function = bhs.TaskManagementFunction;
        var itt = bhs.InitiatorTaskTag;
        var lunField = bhs.LunField;
        var refTag = bhs.ReferencedTaskTag;
        var refCmdSN = bhs.RefCmdSN;
        var cmdSN = bhs.CmdSN;
        if (!session.Window.TryAccept(cmdSN, bhs.Immediate, consumesTask: false))
        {
            return;
        }

        if (session.Target is not { } target)
        {
            Enqueue(CreateReject(RejectReason.ProtocolError, _header));
            return;
        }

        var lun = Lun.TryDecode(lunField, out var decoded) ? decoded : ulong.MaxValue;
        var nexus = session.Nexus!;
        var affected = new List<TargetTask>();
        TaskManagementResponse response;
        var dropAllAfter = false;
        switch (function)
        {
            case TaskManagementFunction.AbortTask:
                response = AbortTask(refTag, refCmdSN, cmdSN, lun, affected);
                break;
            case TaskManagementFunction.AbortTaskSet:
                response = RequireLun(target, lun) ?? AbortMatching(t => t.Command.Lun == lun, affected);
                break;
            case TaskManagementFunction.ClearTaskSet:
                // SAM-5 7.4: CLEAR TASK SET aborts the tasks of every I_T nexus on the LU.
                response = RequireLun(target, lun) ?? AbortEverywhere(target, lun, affected);
                break;
            case TaskManagementFunction.LogicalUnitReset:
                response = RequireLun(target, lun) ?? AbortEverywhere(target, lun, affected);
                if (response == TaskManagementResponse.FunctionComplete)
                {
                    target.Device.ResetLogicalUnit(lun, nexus);
                }

                break;
            case TaskManagementFunction.TargetWarmReset:
            case TaskManagementFunction.TargetColdReset:
                response = AbortEverywhere(target, null, affected);
                target.Device.ResetTarget(nexus, function == TaskManagementFunction.TargetColdReset);

                // RFC 7143 11.5.1: after a cold reset "the target ... MUST ... terminate all of
                // its TCP connections to all initiators" once the response is sent.
                dropAllAfter = function == TaskManagementFunction.TargetColdReset;
                break;
            case TaskManagementFunction.ClearAca:
            case TaskManagementFunction.TaskReassign:
            default:
                // No ACA (NACA is 0 in every CDB we accept) and no ERL 2, so no reassignment.
                response = function == TaskManagementFunction.TaskReassign
                    ? TaskManagementResponse.TaskAllegianceReassignmentNotSupported
                    : TaskManagementResponse.FunctionNotSupported;
                break;
        }

        TargetLog.TaskManagement(_server.Logger, function, lun, session.InitiatorName, response);
        var pdu = ControlPdu.Create(Opcode.TaskManagementResponse);
        var reply = pdu.Bhs;
        reply.Final = true;
        reply.Byte2 = (byte)response;
        reply.InitiatorTaskTag = itt;
        pdu.CloseAfter = dropAllAfter;
        _ = RespondAfterTasksEndAsync(pdu, affected, dropAllAfter ? target : null);
    }

    /// <summary>
    /// RFC 7143 4.2.3.? / 11.6: the TMF response is sent only after every affected task has
    /// stopped, so no Data-In or status for them can follow it.
    /// </summary>
    private async Task RespondAfterTasksEndAsync(ControlPdu pdu, List<TargetTask> affected, TargetNode? dropTarget)
    {
        foreach (var task in affected)
        {
            if (task.AbortWaiter is not { } waiter)
            {
                continue;
            }

            try
            {
                await waiter.Task.WaitAsync(AbortedTaskPatience).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A task wedged in its device: the response may not precede its end, and an
                // unanswered TMF would hold the initiator's tag forever. Dropping the connection
                // ends the session (ErrorRecoveryLevel 0), which the initiator's reset ladder expects.
                Abort("task management: an aborted task did not end within " + AbortedTaskPatience.TotalSeconds + " s");
                return;
            }
        }

        Enqueue(pdu);
        if (dropTarget is not null)
        {
            foreach (var session in _server.Sessions.Snapshot())
            {
                if (ReferenceEquals(session.Target, dropTarget) && session.Connection is { } connection && !ReferenceEquals(connection, this))
                {
                    connection.Abort("target cold reset");
                }
            }
        }
    }

    /// <summary>How long a TMF response waits for the tasks it aborted before the connection is given up instead.</summary>
    private static readonly TimeSpan AbortedTaskPatience = TimeSpan.FromSeconds(30);

    private static TaskManagementResponse? RequireLun(TargetNode target, ulong lun) =>
        target.Device.FindLogicalUnit(lun) is null ? TaskManagementResponse.LunDoesNotExist : null;

    private TaskManagementResponse AbortTask(uint refTag, uint refCmdSN, uint tmfCmdSN, ulong lun, List<TargetTask> affected)
    {
        TargetTask? task;
        uint generation = 0;
        lock (_tasksLock)
        {
            if (_tasks.TryGetValue(refTag, out task))
            {
                generation = task.Generation;
            }
        }

        if (task is null)
        {
            // RFC 7143 11.5.1: "If the Referenced Task Tag does not identify an existing task,
            // but if the CmdSN indicated by the RefCmdSN field ... is within the valid CmdSN
            // window and less than the CmdSN of the Task Management Function Request itself, then
            // targets must consider the CmdSN as received and return the 'Function complete'
            // response"; a task that already completed (RefCmdSN below the window) "does not exist".
            var window = _session!.Window.Snapshot();
            return SerialNumber.InWindow(refCmdSN, window.ExpCmdSN, window.MaxCmdSN) && SerialNumber.LessThan(refCmdSN, tmfCmdSN)
                ? TaskManagementResponse.FunctionComplete
                : TaskManagementResponse.TaskDoesNotExist;
        }

        if (task.Command.Lun != lun)
        {
            // Read without the state lock: a recycled task may show another LUN, and is gone either way.
            return TaskManagementResponse.TaskDoesNotExist;
        }

        // A task whose status is already queued is finished as far as the SCSI layer goes: its
        // response may be on the wire, so it "does not exist" any more and is not aborted.
        return AbortOwnTask(task, generation, affected) ? TaskManagementResponse.FunctionComplete : TaskManagementResponse.TaskDoesNotExist;
    }

    private TaskManagementResponse AbortMatching(Func<TargetTask, bool> match, List<TargetTask> affected)
    {
        List<(TargetTask Task, uint Generation)> matched = [];
        lock (_tasksLock)
        {
            foreach (var task in _tasks.Values)
            {
                if (match(task))
                {
                    matched.Add((task, task.Generation));
                }
            }
        }

        foreach (var (task, generation) in matched)
        {
            AbortOwnTask(task, generation, affected);
        }

        return TaskManagementResponse.FunctionComplete;
    }

    private TaskManagementResponse AbortEverywhere(TargetNode target, ulong? lun, List<TargetTask> affected)
    {
        AbortMatching(t => lun is null || t.Command.Lun == lun, affected);
        foreach (var session in _server.Sessions.Snapshot())
        {
            if (ReferenceEquals(session.Target, target) && session.Connection is { } connection && !ReferenceEquals(connection, this))
            {
                connection.AbortTasksFromOtherNexus(lun);
            }
        }

        return TaskManagementResponse.FunctionComplete;
    }

    /// <summary>
    /// Aborts a task of this connection that has not completed, as it was when looked up
    /// (<paramref name="generation"/>); returns false for a completed one (its response is queued or
    /// sent, and must not be contradicted by a FUNCTION COMPLETE). Called on the receive loop, which
    /// owns receiving tasks.
    /// </summary>
    private bool AbortOwnTask(TargetTask task, uint generation, List<TargetTask> affected)
    {
        switch (task.TryAbort(generation))
        {
            case TaskAbortOutcome.AbortedWhileExecuting:
                affected.Add(task);
                return true;
            case TaskAbortOutcome.AbortedWhileReceiving:
                RemoveTask(task);
                FinishTask(task);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Tasks of this connection aborted by another nexus (CLEAR TASK SET, LU or target reset).
    /// Only flags and cancels: receiving tasks stay owned by this connection's receive loop, which
    /// drops them on their next Data-Out or at close.
    /// </summary>
    internal void AbortTasksFromOtherNexus(ulong? lun)
    {
        lock (_tasksLock)
        {
            foreach (var task in _tasks.Values)
            {
                lock (task.StateLock)
                {
                    if ((lun is null || task.Command.Lun == lun) && task.State != TargetTaskState.Completed)
                    {
                        task.Cancel();
                    }
                }
            }
        }
    }

    /// <summary>Connection closing: every task is aborted (ErrorRecoveryLevel 0 ends the session).</summary>
    private void AbortAllTasks()
    {
        List<TargetTask> receiving = [];
        lock (_tasksLock)
        {
            foreach (var task in _tasks.Values)
            {
                lock (task.StateLock)
                {
                    task.Cancel();
                    if (task.State == TargetTaskState.Receiving)
                    {
                        receiving.Add(task);
                    }
                }
            }
        }

        foreach (var task in receiving)
        {
            RemoveTask(task);
            FinishTask(task);
        }
    }
}
