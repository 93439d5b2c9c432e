using System.Diagnostics;
using System.Diagnostics.Metrics;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Target.Observability;

/// <summary>
/// One LUN's counts, bumped with Interlocked on the command path (no allocation, no lock) and read
/// by the metrics exporter's observable instruments and the API; its latency goes to the target's
/// histogram with tags built once here.
/// </summary>
public sealed class LunCounters
{
    private const byte UnitAttentionKey = 0x6;
    private readonly TagList _readTags;
    private readonly TagList _writeTags;
    private long _readCommands;
    private long _readBytes;
    private long _writeCommands;
    private long _writeBytes;
    private long _checkConditions;
    private long _unitAttentions;
    private long _timedCommands;
    private long _latencyTicks;
    private int _outstanding;

    public LunCounters(string target, ulong lun)
    {
        Target = target;
        Lun = lun;
        Tags = [new("target", target), new("lun", (long)lun)];
        _readTags = new TagList(Tags) { { "op", "read" } };
        _writeTags = new TagList(Tags) { { "op", "write" } };
    }

    public string Target { get; }

    public ulong Lun { get; }

    /// <summary>The LUN's metric tags (target, lun), built once.</summary>
    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>
    /// The target's latency histogram; set by <see cref="TargetMetrics"/> when it starts and for a
    /// LUN added while serving at the next collection. Null: latency is not recorded.
    /// </summary>
    internal Histogram<double>? Latency { get; set; }

    public long ReadCommands => Interlocked.Read(ref _readCommands);

    public long ReadBytes => Interlocked.Read(ref _readBytes);

    public long WriteCommands => Interlocked.Read(ref _writeCommands);

    public long WriteBytes => Interlocked.Read(ref _writeBytes);

    /// <summary>Commands that ended in CHECK CONDITION (SAM-5 5.3.1), any opcode.</summary>
    public long CheckConditions => Interlocked.Read(ref _checkConditions);

    /// <summary>CHECK CONDITIONs whose sense key is UNIT ATTENTION (SPC-4 4.5.6): reported unit attentions.</summary>
    public long UnitAttentions => Interlocked.Read(ref _unitAttentions);

    /// <summary>GOOD READs and WRITEs timed by <see cref="Finished"/>, and their latencies' sum (the dashboard's mean per interval).</summary>
    public long TimedCommands => Interlocked.Read(ref _timedCommands);

    public double LatencySeconds => (double)Interlocked.Read(ref _latencyTicks) / Stopwatch.Frequency;

    /// <summary>Commands in the logical unit now (started, not finished).</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>A command entered the logical unit.</summary>
    public void Started() => Interlocked.Increment(ref _outstanding);

    /// <summary>
    /// A command left the logical unit: counted, and a GOOD READ or WRITE timed from
    /// <paramref name="arrivedTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/> when its PDU arrived).
    /// An aborted command has no result: it only leaves the outstanding count.
    /// </summary>
    public void Finished(byte opcode, in ScsiResult result, ReadOnlySpan<byte> sense, long arrivedTimestamp, bool aborted)
    {
        Interlocked.Decrement(ref _outstanding);
        if (aborted)
        {
            return;
        }

        if (result.Status == ScsiStatus.CheckCondition)
        {
            Interlocked.Increment(ref _checkConditions);
            if (SenseKey(sense) == UnitAttentionKey)
            {
                Interlocked.Increment(ref _unitAttentions);
            }

            return;
        }

        var kind = Record(opcode, result);
        if (kind == 0)
        {
            return;
        }

        var ticks = Stopwatch.GetTimestamp() - arrivedTimestamp;
        Interlocked.Add(ref _latencyTicks, ticks);
        Interlocked.Increment(ref _timedCommands);
        if (Latency is not { } histogram)
        {
            return;
        }

        var seconds = (double)ticks / Stopwatch.Frequency;
        if (kind > 0)
        {
            histogram.Record(seconds, in _readTags);
        }
        else
        {
            histogram.Record(seconds, in _writeTags);
        }
    }

    /// <summary>Counts a finished command when it was a READ or WRITE (6/10/12/16) that ended GOOD: 1 a read, -1 a write, 0 neither.</summary>
    public int Record(byte opcode, in ScsiResult result)
    {
        if (result.Status != ScsiStatus.Good)
        {
            return 0;
        }

        switch ((ScsiOpcode)opcode)
        {
            case ScsiOpcode.Read6 or ScsiOpcode.Read10 or ScsiOpcode.Read12 or ScsiOpcode.Read16:
                Interlocked.Increment(ref _readCommands);
                Interlocked.Add(ref _readBytes, result.DataInLength);
                return 1;
            case ScsiOpcode.Write6 or ScsiOpcode.Write10 or ScsiOpcode.Write12 or ScsiOpcode.Write16:
                Interlocked.Increment(ref _writeCommands);
                Interlocked.Add(ref _writeBytes, result.DataOutLength);
                return -1;
            default:
                return 0;
        }
    }

    public LunCountersView View() => new(ReadCommands, ReadBytes, WriteCommands, WriteBytes, Outstanding, CheckConditions, UnitAttentions, TimedCommands, LatencySeconds);

    /// <summary>The sense key of fixed (70h/71h: byte 2) or descriptor (72h/73h: byte 1) sense data (SPC-4 4.5.2, 4.5.3).</summary>
    private static int SenseKey(ReadOnlySpan<byte> sense) => sense.Length < 3 ? -1 : (sense[0] & 0x7F) switch
    {
        0x70 or 0x71 => sense[2] & 0x0F,
        0x72 or 0x73 => sense[1] & 0x0F,
        _ => -1,
    };
}
