using Storlane.Lab.Processes;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

/// <summary>
/// The children a topology started, with real processes: the wrapper <c>sh -c SCRIPT</c> runs the
/// script and ignores the storlane command line behind it (sh takes it as $0, $1...).
/// </summary>
public sealed class LabProcessSetTests
{
    private static readonly string[] SleepingChild = ["sh", "-c", "echo started; exec sleep 60"];

    [Fact]
    public async Task Close_StopsEveryChildByPid_AndRefusesNewOnes()
    {
        var set = new LabProcessSet(StorlaneExecutable.Resolve(), this);
        var first = await set.StartAsync(SleepingChild, ["--version"], CancellationToken.None);
        var second = await set.StartAsync(SleepingChild, ["--version"], CancellationToken.None);
        try
        {
            await Processes.WaitForOutputAsync(first, "started");
            await Processes.WaitForOutputAsync(second, "started");

            await set.CloseAsync();

            Assert.True(set.IsClosed);
            Assert.Equal(128 + PosixSignals.SigTerm, await first.Exited);
            Assert.Equal(128 + PosixSignals.SigTerm, await second.Exited);
            Assert.False(Processes.PidIsAlive(first.Pid));
            Assert.False(Processes.PidIsAlive(second.Pid));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => set.StartAsync(SleepingChild, ["--version"], CancellationToken.None));
        }
        finally
        {
            await first.StopAsync(TimeSpan.FromSeconds(5));
            await second.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>A signal handler closes the set this way after LabCleanup stopped every child itself; a later dispose must not wait on them again.</summary>
    [Fact]
    public async Task CloseWithoutStopping_RefusesNewChildren_AndALaterCloseLeavesTheChildrenAlone()
    {
        var set = new LabProcessSet(StorlaneExecutable.Resolve(), this);
        var child = await set.StartAsync(SleepingChild, ["--version"], CancellationToken.None);
        try
        {
            await Processes.WaitForOutputAsync(child, "started");

            set.CloseWithoutStopping();
            await set.CloseAsync();

            Assert.True(set.IsClosed);
            Assert.False(child.Exited.IsCompleted, "the child was stopped, which is LabCleanup's job here");
            await Assert.ThrowsAsync<ObjectDisposedException>(() => set.StartAsync(SleepingChild, ["--version"], CancellationToken.None));
        }
        finally
        {
            await child.StopAsync(TimeSpan.FromSeconds(5));
        }

        Assert.False(Processes.PidIsAlive(child.Pid));
    }
}
