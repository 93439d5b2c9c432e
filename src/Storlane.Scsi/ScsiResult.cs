using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// Outcome of a command. <see cref="DataInLength"/> is how many bytes the command wanted to
/// return (it may exceed the buffer: the transport then reports a residual overflow) and
/// <see cref="DataOutLength"/> how many bytes of data-out the CDB called for; the transport
/// derives iSCSI residuals from both (RFC 7143 11.4.5).
/// </summary>
public readonly record struct ScsiResult(ScsiStatus Status, int DataInLength, int DataOutLength, int SenseLength)
{
    /// <summary>RESERVATION CONFLICT (SAM-5 5.3.1): no sense data.</summary>
    public static ScsiResult ReservationConflict => new(ScsiStatus.ReservationConflict, 0, 0, 0);

    /// <summary>The logical unit has no resources for one more command now; the initiator retries it later (SAM-5 5.3.1).</summary>
    public static ScsiResult TaskSetFull => new(ScsiStatus.TaskSetFull, 0, 0, 0);

    public static ScsiResult Good(int dataInLength = 0, int dataOutLength = 0) => new(ScsiStatus.Good, dataInLength, dataOutLength, 0);

    /// <summary>CHECK CONDITION with fixed-format sense written into the command's sense buffer (SPC-4 4.5.3).</summary>
    public static ScsiResult CheckCondition(ScsiCommand command, SenseKey key, AdditionalSense sense) =>
        new(ScsiStatus.CheckCondition, 0, 0, new SenseData(key, sense).WriteFixed(command.SenseBuffer));
}
