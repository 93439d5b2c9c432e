namespace Storlane.Protocol.Scsi;

/// <summary>
/// ADDITIONAL SENSE CODE and ADDITIONAL SENSE CODE QUALIFIER pairs (SPC-4 4.5.6 table 28), named
/// as SPC-4 names them; the value is ASC in the high byte and ASCQ in the low byte.
/// </summary>
public enum AdditionalSense : ushort
{
    NoAdditionalSenseInformation = 0x0000,
    PeripheralDeviceWriteFault = 0x0300,
    LogicalUnitNotReadyCauseNotReportable = 0x0400,
    LogicalUnitNotAccessibleAsymmetricAccessStateTransition = 0x040A,
    LogicalUnitNotAccessibleTargetPortInStandbyState = 0x040B,
    LogicalUnitNotAccessibleTargetPortInUnavailableState = 0x040C,
    LogicalUnitNotReadySanitizeInProgress = 0x041B,
    UnreachableCopyTarget = 0x0804,
    WriteError = 0x0C00,
    CopyTargetDeviceNotReachable = 0x0D02,
    IncorrectCopyTargetDeviceType = 0x0D03,
    InvalidFieldInInformationUnit = 0x0E03,
    UnrecoveredReadError = 0x1100,
    ParameterListLengthError = 0x1A00,
    MiscompareDuringVerifyOperation = 0x1D00,
    InvalidCommandOperationCode = 0x2000,
    LbaOutOfRange = 0x2100,
    InvalidFieldInCdb = 0x2400,
    LogicalUnitNotSupported = 0x2500,
    InvalidFieldInParameterList = 0x2600,
    ParameterNotSupported = 0x2601,
    ParameterValueInvalid = 0x2602,
    InvalidReleaseOfPersistentReservation = 0x2604,
    TooManyTargetDescriptors = 0x2606,
    UnsupportedTargetDescriptorTypeCode = 0x2607,
    TooManySegmentDescriptors = 0x2608,
    UnsupportedSegmentDescriptorTypeCode = 0x2609,
    WriteProtected = 0x2700,
    NotReadyToReadyChangeMediumMayHaveChanged = 0x2800,
    PowerOnResetOrBusDeviceResetOccurred = 0x2900,
    PowerOnOccurred = 0x2901,
    ScsiBusResetOccurred = 0x2902,
    BusDeviceResetFunctionOccurred = 0x2903,
    DeviceInternalReset = 0x2904,
    ITNexusLossOccurred = 0x2907,
    ParametersChanged = 0x2A00,
    ModeParametersChanged = 0x2A01,
    ReservationsPreempted = 0x2A03,
    ReservationsReleased = 0x2A04,
    RegistrationsPreempted = 0x2A05,
    AsymmetricAccessStateChanged = 0x2A06,
    CapacityDataHasChanged = 0x2A09,
    CommandsClearedByAnotherInitiator = 0x2F00,
    SavingParametersNotSupported = 0x3900,
    InquiryDataHasChanged = 0x3F03,
    ReportedLunsDataHasChanged = 0x3F0E,
    SanitizeCommandFailed = 0x3103,
    MediumNotPresent = 0x3A00,
    InternalTargetFailure = 0x4400,

    /// <summary>iSCSI "protocol service CRC error" (RFC 7143 11.4.7.2): data lost to a digest or DataSN error.</summary>
    ProtocolServiceCrcError = 0x4705,
    InvalidMessageError = 0x4900,
    MediumRemovalPrevented = 0x5302,
}

public static class AdditionalSenseExtensions
{
    public static byte Asc(this AdditionalSense sense) => (byte)((ushort)sense >> 8);

    public static byte Ascq(this AdditionalSense sense) => (byte)sense;

    public static AdditionalSense FromCodes(byte asc, byte ascq) => (AdditionalSense)((asc << 8) | ascq);
}
