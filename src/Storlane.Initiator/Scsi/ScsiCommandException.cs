using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Scsi;

/// <summary>
/// A command the target executed and failed: a non-GOOD status (with sense data for CHECK
/// CONDITION), or an iSCSI Response of "Target Failure". The transport is fine; retrying on
/// another path does not help unless the status is BUSY or TASK SET FULL.
/// </summary>
public sealed class ScsiCommandException : Exception
{
    public ScsiCommandException(ScsiStatus status, SenseInfo? sense, byte serviceResponse = 0)
        : base(Describe(status, sense, serviceResponse))
    {
        Status = status;
        Sense = sense;
        ServiceResponse = serviceResponse;
    }

    public ScsiStatus Status { get; }

    public SenseInfo? Sense { get; }

    public SenseKey SenseKey => Sense?.Key ?? SenseKey.NoSense;

    public byte Asc => Sense?.Asc ?? 0;

    public byte Ascq => Sense?.Ascq ?? 0;

    /// <summary>iSCSI Response byte (RFC 7143 11.4.3): 0 = Command Completed at Target, 1 = Target Failure.</summary>
    public byte ServiceResponse { get; }

    private static string Describe(ScsiStatus status, SenseInfo? sense, byte serviceResponse) =>
        serviceResponse != 0 ? $"iSCSI response 0x{serviceResponse:X2} (target failure)"
        : sense is { } s ? $"SCSI status {status}: {s}"
        : $"SCSI status {status}";
}
