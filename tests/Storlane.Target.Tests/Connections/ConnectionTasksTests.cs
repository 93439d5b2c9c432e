using Storlane.Target.Connections;

namespace Storlane.Target.Tests.Connections;

/// <summary>The task table a connection's receive loop, writer and other sessions' task management share.</summary>
public sealed class ConnectionTasksTests
{
    private readonly BufferBudget _budget = new(limit: 1 << 20);

    [Fact]
    public void A_late_remove_of_an_ended_task_leaves_the_newer_task_that_took_its_tag()
    {
        // An ITT is unique only among the tasks in progress (RFC 7143 11.2.1.8): once a command has
        // ended, the initiator may reuse its tag at once, and a late removal of the old task (a
        // completion dropped at close, an abort) must not take out the new command.
        var tasks = new ConnectionTasks(_ => { }, _budget, 1 << 20);
        var old = tasks.Rent();
        var newer = tasks.Rent();
        old.InitiatorTaskTag = 9;
        Assert.True(tasks.TryAdd(old));
        tasks.Remove(old);
        newer.InitiatorTaskTag = 9;
        Assert.True(tasks.TryAdd(newer));

        tasks.Remove(old);

        Assert.Same(newer, tasks.Find(9));
    }

    [Fact]
    public void A_recycled_task_object_comes_back_one_generation_later()
    {
        // What an abort looked up is told apart from the command the same object serves next.
        var tasks = new ConnectionTasks(_ => { }, _budget, 1 << 20);
        var task = tasks.Rent();
        task.InitiatorTaskTag = 4;
        tasks.TryAdd(task);
        Assert.Same(task, tasks.Find(4, out var before));
        tasks.Remove(task);
        tasks.Return(task);

        var again = tasks.Rent();
        again.InitiatorTaskTag = 4;
        tasks.TryAdd(again);

        Assert.Same(task, tasks.Find(4, out var after));
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public void A_second_task_under_a_tag_in_progress_is_refused()
    {
        var tasks = new ConnectionTasks(_ => { }, _budget, 1 << 20);
        var first = tasks.Rent();
        first.InitiatorTaskTag = 3;
        var second = tasks.Rent();
        second.InitiatorTaskTag = 3;

        Assert.True(tasks.TryAdd(first));
        Assert.False(tasks.TryAdd(second));
        Assert.Same(first, tasks.Find(3));
    }

    [Fact]
    public void The_first_buffer_is_always_granted_and_later_ones_within_the_share_only()
    {
        var tasks = new ConnectionTasks(_ => { }, _budget, maxBufferBytes: 64 << 10);
        var big = tasks.Rent();
        var small = tasks.Rent();

        // Larger than both the connection's share and the whole budget: granted, being the first.
        Assert.True(tasks.TryReserveBuffer(big, 2 << 20));
        Assert.False(tasks.TryReserveBuffer(small, 4096));
        Assert.Equal(2 << 20, tasks.BufferBytes);

        tasks.Return(big);
        Assert.Equal((0L, 0L), (tasks.BufferBytes, _budget.Held));
        Assert.True(tasks.TryReserveBuffer(small, 4096));
        Assert.Equal(4096, _budget.Held);
    }

    [Fact]
    public void Cancelling_all_returns_the_tasks_still_receiving_for_the_caller_to_finish()
    {
        var tasks = new ConnectionTasks(_ => { }, _budget, 1 << 20);
        var receiving = tasks.Rent();
        receiving.InitiatorTaskTag = 1;
        var executing = tasks.Rent();
        executing.InitiatorTaskTag = 2;
        executing.State = TargetTaskState.Executing;
        tasks.TryAdd(receiving);
        tasks.TryAdd(executing);

        var left = tasks.CancelAll();

        Assert.Equal([receiving], left);
        Assert.True(receiving.CancellationToken.IsCancellationRequested);
        Assert.True(executing.CancellationToken.IsCancellationRequested);
    }
}
