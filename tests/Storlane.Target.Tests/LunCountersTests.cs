using System.Diagnostics;
using System.Diagnostics.Metrics;
using Storlane.Protocol.Scsi;
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

/// <summary>Outstanding commands, CHECK CONDITIONs, unit attentions and latency, without allocating per command.</summary>
public class LunCountersCompletionTests
{
    private static readonly byte[] UnitAttentionSense = [0x70, 0, 0x06, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3F, 0x0E, 0, 0, 0, 0];
    private static readonly byte[] IllegalRequestSense = [0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0];

    [Fact]
    public void Finished_CountsCheckConditionsAndUnitAttentions_AndLeavesOutstanding()
    {
        var counters = new LunCounters("iqn.2026-11.io.storlane:t", 0);
        var checkCondition = new ScsiResult(ScsiStatus.CheckCondition, 0, 0, 18);
        counters.Started();
        counters.Started();
        counters.Started();
        Assert.Equal(3, counters.Outstanding);

        counters.Finished((byte)ScsiOpcode.Read10, checkCondition, UnitAttentionSense, 0, aborted: false);
        counters.Finished(0x12, new ScsiResult(ScsiStatus.CheckCondition, 0, 0, 8), IllegalRequestSense, 0, aborted: false);
        counters.Finished((byte)ScsiOpcode.Read10, ScsiResult.Good(dataInLength: 512), [], 0, aborted: true);

        Assert.Equal(0, counters.Outstanding);
        Assert.Equal(2, counters.CheckConditions);
        Assert.Equal(1, counters.UnitAttentions);
        Assert.Equal(0, counters.ReadCommands);
    }

    [Fact]
    public void Finished_RecordsGoodReadAndWriteLatency_WithLunAndOpTags()
    {
        using var meter = new Meter("Storlane.Tests.Latency." + Guid.NewGuid());
        var histogram = meter.CreateHistogram<double>("latency");
        var seen = new List<(double Seconds, string Op, long Lun)>();
        using var listener = Listen(histogram, (value, tags) => seen.Add((value, Tag(tags, "op"), (long)TagValue(tags, "lun")!)));
        var counters = new LunCounters("iqn.2026-11.io.storlane:t", 3) { Latency = histogram };
        var arrived = Stopwatch.GetTimestamp() - Stopwatch.Frequency / 100;

        counters.Started();
        counters.Finished((byte)ScsiOpcode.Read16, ScsiResult.Good(dataInLength: 4096), [], arrived, aborted: false);
        counters.Started();
        counters.Finished((byte)ScsiOpcode.Write10, ScsiResult.Good(dataOutLength: 4096), [], arrived, aborted: false);
        counters.Started();
        counters.Finished(0x00, ScsiResult.Good(), [], arrived, aborted: false); // TEST UNIT READY: not timed

        Assert.Equal(2, seen.Count);
        Assert.Equal(("read", 3L), (seen[0].Op, seen[0].Lun));
        Assert.Equal(("write", 3L), (seen[1].Op, seen[1].Lun));
        Assert.All(seen, s => Assert.True(s.Seconds >= 0.01, $"latency {s.Seconds} s is shorter than the 10 ms since arrival"));
    }

    [Fact]
    public void StartedAndFinished_WithALatencyListener_AllocateNothing()
    {
        using var meter = new Meter("Storlane.Tests.Latency." + Guid.NewGuid());
        var histogram = meter.CreateHistogram<double>("latency");
        double total = 0;
        using var listener = Listen(histogram, (value, _) => total += value);
        var counters = new LunCounters("iqn.2026-11.io.storlane:t", 0) { Latency = histogram };
        var read = ScsiResult.Good(dataInLength: 4096);
        var arrived = Stopwatch.GetTimestamp();
        counters.Started();
        counters.Finished((byte)ScsiOpcode.Read10, read, [], arrived, aborted: false);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            counters.Started();
            counters.Finished((byte)ScsiOpcode.Read10, read, [], arrived, aborted: false);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_001, counters.ReadCommands);
        Assert.True(total > 0);
    }

    private delegate void OnMeasurement(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    private static MeterListener Listen(Histogram<double> histogram, OnMeasurement onMeasurement)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument, histogram))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => onMeasurement(value, tags));
        listener.Start();
        return listener;
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key) => (string)TagValue(tags, key)!;

    private static object? TagValue(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
