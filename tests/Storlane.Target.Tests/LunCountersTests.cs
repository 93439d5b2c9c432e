using Storlane.Scsi;
using Storlane.Target.Observability;

namespace Storlane.Target.Tests;

/// <summary>Per-LUN counts for metrics: READ/WRITE that ended GOOD, counted without allocating on the command path.</summary>
public class LunCountersTests
{
    [Fact]
    public void Record_CountsGoodReadsAndWritesOnly()
    {
        var counters = new LunCounters("iqn.2026-11.io.storlane:t", 0);
        counters.Record((byte)ScsiOpcode.Read10, ScsiResult.Good(dataInLength: 4096));
        counters.Record((byte)ScsiOpcode.Read16, ScsiResult.Good(dataInLength: 512));
        counters.Record((byte)ScsiOpcode.Write10, ScsiResult.Good(dataOutLength: 8192));
        counters.Record((byte)ScsiOpcode.Write10, ScsiResult.TaskSetFull);
        counters.Record(0x12, ScsiResult.Good(dataInLength: 36)); // INQUIRY is no READ

        Assert.Equal(new LunCountersView(2, 4608, 1, 8192), counters.View());
    }

    [Fact]
    public void Record_AllocatesNothing()
    {
        var counters = new LunCounters("iqn.2026-11.io.storlane:t", 0);
        var read = ScsiResult.Good(dataInLength: 4096);
        counters.Record((byte)ScsiOpcode.Read10, read);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counters.Record((byte)ScsiOpcode.Read10, read);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_001, counters.ReadCommands);
    }
}
