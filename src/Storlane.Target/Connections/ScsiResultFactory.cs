using Storlane.Scsi;

namespace Storlane.Target.Connections;

/// <summary>The few CHECK CONDITIONs the transport itself raises, in fixed-format sense (SPC-4 4.5.3).</summary>
internal static class ScsiResultFactory
{
    private const byte IllegalRequest = 0x05;
    private const byte HardwareError = 0x04;

    /// <summary>ILLEGAL REQUEST, INVALID FIELD IN CDB (24h/00h): a transfer larger than we serve.</summary>
    public static ScsiResult InvalidFieldInCdb(ScsiCommand command) => Check(command, IllegalRequest, 0x24, 0x00);

    /// <summary>HARDWARE ERROR, INTERNAL TARGET FAILURE (44h/00h).</summary>
    public static ScsiResult InternalTargetFailure(ScsiCommand command) => Check(command, HardwareError, 0x44, 0x00);

    private static ScsiResult Check(ScsiCommand command, byte senseKey, byte asc, byte ascq)
    {
        var sense = command.SenseBuffer.AsSpan(0, 18);
        sense.Clear();
        sense[0] = 0x70; // current error, fixed format
        sense[2] = senseKey;
        sense[7] = 10; // additional sense length
        sense[12] = asc;
        sense[13] = ascq;
        return new ScsiResult(ScsiStatus.CheckCondition, 0, 0, 18);
    }
}
