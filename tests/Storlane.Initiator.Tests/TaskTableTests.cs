using Storlane.Initiator.Session;

namespace Storlane.Initiator.Tests;

public sealed class TaskTableTests
{
    /// <summary>
    /// A failed path's session is dropped at once while its commands are still out (their callers
    /// reissue them on another path); a command that finishes after that returns its slot to a
    /// disposed table, which must not turn into an error for the application.
    /// </summary>
    [Fact]
    public void Return_AfterTheSessionDroppedTheTable_IsIgnored()
    {
        var table = new TaskTable(capacity: 2);
        Assert.True(table.TryRent(out var task));
        table.Dispose();

        var failure = Record.Exception(() => table.Return(task));

        Assert.Null(failure);
    }
}
