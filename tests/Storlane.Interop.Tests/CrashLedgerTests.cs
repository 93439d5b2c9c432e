using Storlane.Interop.Tests.Infrastructure.Crash;

namespace Storlane.Interop.Tests;

/// <summary>The crash harness's own rules: what it must call a loss, and what it must allow.</summary>
public sealed class CrashLedgerTests
{
    private const long RunSeed = 42;

    [Fact]
    public void Pattern_IdentifiesItsGeneration_AndCallsATornOrForeignBlockUnknown()
    {
        var block = new byte[512];
        Assert.Equal(CrashPattern.NeverWritten, CrashPattern.Identify(block, 7, RunSeed));

        CrashPattern.Fill(block, 7, 5, RunSeed);
        Assert.Equal(5, CrashPattern.Identify(block, 7, RunSeed));
        Assert.Equal(CrashPattern.Unknown, CrashPattern.Identify(block, 8, RunSeed));
        Assert.Equal(CrashPattern.Unknown, CrashPattern.Identify(block, 7, RunSeed + 1));

        var newer = new byte[512];
        CrashPattern.Fill(newer, 7, 6, RunSeed);
        newer.AsSpan(256).CopyTo(block.AsSpan(256)); // half of generation 5, half of 6
        Assert.Equal(CrashPattern.Unknown, CrashPattern.Identify(block, 7, RunSeed));
    }

    [Fact]
    public void AFuaWrite_MustSurvive_ButANewerAttemptMayReplaceIt()
    {
        var ledger = new CrashLedger(4);
        var durable = ledger.Attempt(0, 2);
        ledger.Acknowledged(0, 2, durable, forceUnitAccess: true);
        var newer = ledger.Attempt(1, 1);

        Assert.Null(ledger.Check(0, durable));
        Assert.NotNull(ledger.Check(0, CrashPattern.NeverWritten));
        Assert.NotNull(ledger.Check(0, CrashPattern.Unknown));
        Assert.NotNull(ledger.Check(0, newer)); // sent to block 1 only
        Assert.Null(ledger.Check(1, newer));
    }

    [Fact]
    public void AWriteWithoutFua_IsDurableOnlyOnceAFlushSentAfterItsAcknowledgementCompletes()
    {
        var ledger = new CrashLedger(2);
        var first = ledger.Attempt(0, 1);
        ledger.Acknowledged(0, 1, first, forceUnitAccess: false);
        Assert.Null(ledger.Check(0, CrashPattern.NeverWritten));

        var ticket = ledger.FlushTicket();
        var second = ledger.Attempt(1, 1);
        ledger.Acknowledged(1, 1, second, forceUnitAccess: false); // acknowledged after the flush was sent
        ledger.FlushCompleted(ticket);

        Assert.NotNull(ledger.Check(0, CrashPattern.NeverWritten));
        Assert.Null(ledger.Check(1, CrashPattern.NeverWritten));
        Assert.Equal(1, ledger.FlushedWrites);
    }

    [Fact]
    public void AnOlderGeneration_IsALoss_AndAFlushedUnmapMustReadZeros()
    {
        var ledger = new CrashLedger(1);
        var old = ledger.Attempt(0, 1);
        ledger.Acknowledged(0, 1, old, forceUnitAccess: true);
        var current = ledger.Attempt(0, 1);
        ledger.Acknowledged(0, 1, current, forceUnitAccess: true);
        Assert.NotNull(ledger.Check(0, old));

        var unmap = ledger.AttemptUnmap(0, 1);
        Assert.Null(ledger.Check(0, CrashPattern.NeverWritten)); // sent, so it may have landed
        Assert.Null(ledger.Check(0, current));
        ledger.Acknowledged(0, 1, unmap, forceUnitAccess: false);
        ledger.FlushCompleted(ledger.FlushTicket());
        Assert.Null(ledger.Check(0, CrashPattern.NeverWritten));
        Assert.NotNull(ledger.Check(0, current));
    }
}
