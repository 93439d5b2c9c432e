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
        // What each aborted task's end is awaited by, taken when it is aborted (never read back
        // from a task object, which may serve another command by the time it is awaited).
        var ended = new List<Task>();
        TaskManagementResponse response;
        var dropAllAfter = false;
        switch (function)
        {
            case TaskManagementFunction.AbortTask:
                response = AbortTask(refTag, refCmdSN, cmdSN, lun, ended);
                break;
            case TaskManagementFunction.AbortTaskSet:
                response = RequireLun(target, lun) ?? AbortOwnTasks(lun, ended);
                break;
            case TaskManagementFunction.ClearTaskSet:
                // SAM-5 CLEAR TASK SET (TST = 000b, one task set per LU): the tasks of every I_T
                // nexus on the LU are aborted, and the response follows the end of all of them.
                response = RequireLun(target, lun) ?? AbortEverywhere(target, lun, ended);
                break;
            case TaskManagementFunction.LogicalUnitReset:
                // SAM-5 LOGICAL UNIT RESET: every task on the LU, of every I_T nexus, is aborted.
                response = RequireLun(target, lun) ?? AbortEverywhere(target, lun, ended);
                if (response == TaskManagementResponse.FunctionComplete)
                {
                    // With gateways sharing the LU, the response waits until every gateway has the
                    // reset (SAM-5 6.3.3: a unit attention for every I_T nexus), as it waits for the tasks.
                    ended.Add(target.Device.ResetLogicalUnit(lun, nexus));
                }

                break;
            case TaskManagementFunction.TargetWarmReset:
            case TaskManagementFunction.TargetColdReset:
                response = AbortEverywhere(target, null, ended);
                ended.Add(target.Device.ResetTarget(nexus, function == TaskManagementFunction.TargetColdReset));

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

        TargetLog.TaskManagement(_server.Loggers.TaskManagement, Number, session.Tsih, itt, function, lun, session.InitiatorName, response);
        var pdu = ControlPdu.Create(Opcode.TaskManagementResponse);
        var reply = pdu.Bhs;
        reply.Final = true;
        reply.Byte2 = (byte)response;
        reply.InitiatorTaskTag = itt;
        pdu.CloseAfter = dropAllAfter;
        _ = RespondAfterTasksEndAsync(pdu, ended, dropAllAfter ? target : null);
    }

    /// <summary>
    /// RFC 7143 11.5.1 / 11.6: the response to a TMF is sent only after every task it aborted, on
    /// any session of the LU, has come back from the SCSI layer, so that nothing of theirs (data,
    /// status, a write reaching the medium) can follow it.
    /// </summary>
    private async Task RespondAfterTasksEndAsync(ControlPdu pdu, List<Task> ended, TargetNode? dropTarget)
    {
        foreach (var end in ended)
        {
            try
            {
                await end.WaitAsync(AbortedTaskPatience).ConfigureAwait(false);
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

    private TaskManagementResponse AbortTask(uint refTag, uint refCmdSN, uint tmfCmdSN, ulong lun, List<Task> ended)
    {
        var task = _tasks.Find(refTag, out var generation);
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
        return AbortOwnTask(task, generation, ended) ? TaskManagementResponse.FunctionComplete : TaskManagementResponse.TaskDoesNotExist;
    }

    /// <summary>This connection's tasks on <paramref name="lun"/> (every LUN when null).</summary>
    private TaskManagementResponse AbortOwnTasks(ulong? lun, List<Task> ended)
    {
        foreach (var (task, generation) in _tasks.OnLun(lun))
        {
            AbortOwnTask(task, generation, ended);
        }

        return TaskManagementResponse.FunctionComplete;
    }

    private TaskManagementResponse AbortEverywhere(TargetNode target, ulong? lun, List<Task> ended)
    {
        AbortOwnTasks(lun, ended);
        foreach (var session in _server.Sessions.Snapshot())
        {
            if (ReferenceEquals(session.Target, target) && session.Connection is { } connection && !ReferenceEquals(connection, this))
            {
                connection.AbortTasksFromOtherNexus(lun, ended);
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
    private bool AbortOwnTask(TargetTask task, uint generation, List<Task> ended)
    {
        switch (task.TryAbort(generation, out var end))
        {
            case TaskAbortOutcome.AbortedWhileExecuting:
                ended.Add(end!);
                return true;
            case TaskAbortOutcome.AbortedWhileReceiving:
                _tasks.Remove(task);
                FinishTask(task);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Tasks of this connection aborted by another nexus (CLEAR TASK SET, LU or target reset,
    /// PREEMPT AND ABORT). Only flags and cancels: receiving tasks stay owned by this connection's
    /// receive loop, which drops them on their next Data-Out or at close. When the caller answers
    /// only once they are gone, <paramref name="ended"/> gets what each executing one's end is awaited by.
    /// </summary>
    internal void AbortTasksFromOtherNexus(ulong? lun, List<Task>? ended = null) => _tasks.AbortForOtherNexus(lun, ended);

    /// <summary>Connection closing: every task is aborted (ErrorRecoveryLevel 0 ends the session).</summary>
    private void AbortAllTasks()
    {
        foreach (var task in _tasks.CancelAll())
        {
            _tasks.Remove(task);
            FinishTask(task);
        }
    }
}
