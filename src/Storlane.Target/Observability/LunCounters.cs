using Storlane.Scsi;

namespace Storlane.Target.Observability;

/// <summary>
/// One LUN's command and byte counts, bumped with Interlocked on the command path (no allocation,
/// no lock) and read by the metrics exporter's observable instruments and the API.
/// </summary>
public sealed class LunCounters
{
    private long _readCommands;
    private long _readBytes;
    private long _writeCommands;
    private long _writeBytes;

    public LunCounters(string target, ulong lun)
    {
        Target = target;
        Lun = lun;
    }

    public string Target { get; }

    public ulong Lun { get; }

    public long ReadCommands => Interlocked.Read(ref _readCommands);

    public long ReadBytes => Interlocked.Read(ref _readBytes);

    public long WriteCommands => Interlocked.Read(ref _writeCommands);

    public long WriteBytes => Interlocked.Read(ref _writeBytes);

    /// <summary>Counts a finished command when it was a READ or WRITE (6/10/12/16) that ended GOOD.</summary>
    public void Record(byte opcode, in ScsiResult result)
    {
        if (result.Status != ScsiStatus.Good)
        {
            return;
        }

        switch ((ScsiOpcode)opcode)
        {
            case ScsiOpcode.Read6 or ScsiOpcode.Read10 or ScsiOpcode.Read12 or ScsiOpcode.Read16:
                Interlocked.Increment(ref _readCommands);
                Interlocked.Add(ref _readBytes, result.DataInLength);
                break;
            case ScsiOpcode.Write6 or ScsiOpcode.Write10 or ScsiOpcode.Write12 or ScsiOpcode.Write16:
                Interlocked.Increment(ref _writeCommands);
                Interlocked.Add(ref _writeBytes, result.DataOutLength);
                break;
            default:
                break;
        }
    }

    public LunCountersView View() => new(ReadCommands, ReadBytes, WriteCommands, WriteBytes);
}
