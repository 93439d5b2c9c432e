using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// Which pending unit attention is reported first. SAM-5 5.14 leaves the order among several pending
/// conditions to the logical unit beyond one rule, that a power on or reset condition is reported
/// before the conditions it makes moot. We rank: POWER ON OCCURRED, then the other 29h resets (the
/// generic 29h/00h, bus reset, bus device reset function, internal reset, I_T nexus loss), then
/// everything else in the order it was established.
/// </summary>
internal static class UnitAttentionPrecedence
{
    public static int Rank(AdditionalSense sense) => sense switch
    {
        AdditionalSense.PowerOnOccurred => 0,
        AdditionalSense.PowerOnResetOrBusDeviceResetOccurred => 1,
        AdditionalSense.ScsiBusResetOccurred => 2,
        AdditionalSense.BusDeviceResetFunctionOccurred => 3,
        AdditionalSense.DeviceInternalReset => 4,
        AdditionalSense.ITNexusLossOccurred => 5,
        _ when sense.Asc() == 0x29 => 6,
        _ => 10,
    };
}
