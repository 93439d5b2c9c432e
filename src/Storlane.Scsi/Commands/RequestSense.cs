using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    /// <summary>
    /// SPC-4 6.39 REQUEST SENSE. Returns, as parameter data with GOOD status, the highest-precedence
    /// pending unit attention for this I_T nexus (and clears it, SAM-5 5.14), else NO SENSE. DESC = 1
    /// asks for descriptor format sense data, which we support. For a LUN without a logical unit,
    /// SPC-4 4.6.2: "the device server shall return GOOD status and sense data with the sense key set
    /// to ILLEGAL REQUEST and the additional sense code set to LOGICAL UNIT NOT SUPPORTED". While a
    /// SANITIZE runs (SBC-3 4.11.1; pollable sense data, SPC-4 6.39) it is NOT READY, SANITIZE IN
    /// PROGRESS with the PROGRESS INDICATION, so an application client can poll how far it has come.
    /// </summary>
    public static ValueTask<ScsiResult> RequestSense(CommandContext context)
    {
        var cdb = context.Cdb;
        var descriptorFormat = (cdb[1] & 0x01) != 0;
        var allocationLength = cdb[4];
        var sense = SenseData.NoSense;
        if (context.UnitOrNull is not { } unit)
        {
            sense = new SenseData(SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);
        }
        else if (unit.Attentions.TryTake(context.Command.Nexus.Id, out var attention))
        {
            sense = new SenseData(SenseKey.UnitAttention, attention);
        }
        else if (unit.SanitizeInProgress)
        {
            sense = new SenseData(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress, Progress: unit.SanitizeProgress);
        }
        else if (unit.SanitizeFailure != SanitizeFailure.None)
        {
            sense = new SenseData(SenseKey.MediumError, AdditionalSense.SanitizeCommandFailed);
        }

        Span<byte> buffer = stackalloc byte[64];
        var length = descriptorFormat ? sense.WriteDescriptor(buffer) : sense.WriteFixed(buffer);
        return new(ParameterData.Return(context.Command, buffer[..length], allocationLength));
    }
}
