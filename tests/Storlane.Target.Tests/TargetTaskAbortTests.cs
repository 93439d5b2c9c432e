using Storlane.Target.Connections;

namespace Storlane.Target.Tests;

/// <summary>
/// ABORT TASK against one task object (RFC 7143 11.5.1, SAM-5 7.2). The target looks the task up
/// under the connection's task map lock and aborts it under the task's own lock; between the two the
/// writer may send the command's status and recycle the object for the next command. libiscsi's
/// iSCSITMF.AbortTaskSimpleAsync then saw both WRITE GOOD and ABORT FUNCTION COMPLETE.
/// </summary>
public sealed class TargetTaskAbortTests
{
    [Fact]
    public void ExecutingTask_IsCancelled_AndKeepsTheFirstWaiter()
    {
        var task = new TargetTask { State = TargetTaskState.Executing };
        var generation = task.Generation;

        Assert.Equal(TaskAbortOutcome.AbortedWhileExecuting, task.TryAbort(generation, out var ended));
        var waiter = task.AbortWaiter;
        Assert.NotNull(waiter);
        Assert.Same(waiter.Task, ended);
        Assert.True(task.Aborted);
        Assert.True(task.CancellationToken.IsCancellationRequested);

        // A second TMF for the same task waits on the same completion.
        Assert.Equal(TaskAbortOutcome.AbortedWhileExecuting, task.TryAbort(generation, out var again));
        Assert.Same(waiter, task.AbortWaiter);
        Assert.Same(ended, again);
    }

    [Fact]
    public void ReceivingTask_IsCancelled()
    {
        var task = new TargetTask { State = TargetTaskState.Receiving };
        Assert.Equal(TaskAbortOutcome.AbortedWhileReceiving, task.TryAbort(task.Generation, out var ended));
        Assert.Null(ended);
        Assert.True(task.Aborted);
        Assert.Null(task.AbortWaiter);
    }

    [Fact]
    public void CompletedTask_IsNotAborted()
    {
        var task = new TargetTask { State = TargetTaskState.Completed };
        Assert.Equal(TaskAbortOutcome.AlreadyCompleted, task.TryAbort(task.Generation, out _));
        Assert.False(task.Aborted);
    }

    [Fact]
    public void RecycledTask_IsNotAborted_AndItsNextCommandRunsOn()
    {
        // Looked up while executing the WRITE; the WRITE completes, its status is written and the
        // object is reset for the next command (State Receiving again) before the abort runs.
        var task = new TargetTask { State = TargetTaskState.Executing };
        var generation = task.Generation;
        task.State = TargetTaskState.Completed;
        task.Reset();
        Assert.Equal(TargetTaskState.Receiving, task.State);

        Assert.Equal(TaskAbortOutcome.AlreadyCompleted, task.TryAbort(generation, out _));
        Assert.False(task.Aborted);
        Assert.False(task.CancellationToken.IsCancellationRequested);
        Assert.Null(task.AbortWaiter);
    }
}
