namespace Storlane.Nvme;

/// <summary>Status Code Type (NVMe base 2.0, figure 93).</summary>
public enum StatusCodeType : byte
{
    Generic = 0,
    CommandSpecific = 1,
    MediaAndDataIntegrity = 2,
    PathRelated = 3,
}

/// <summary>
/// A completion status: SCT and SC, and DNR ("do not retry"). The status field of the CQE (figure 92)
/// puts the phase tag in bit 0, SC in bits 8:1, SCT in 11:9, CRD 13:12, M 14, DNR 15.
/// </summary>
public readonly record struct NvmeStatus(StatusCodeType Type, byte Code, bool DoNotRetry)
{
    public static readonly NvmeStatus Success = new(StatusCodeType.Generic, 0x00, false);

    // Generic command status (figure 94).
    public static readonly NvmeStatus InvalidOpcode = new(StatusCodeType.Generic, 0x01, true);
    public static readonly NvmeStatus InvalidField = new(StatusCodeType.Generic, 0x02, true);
    public static readonly NvmeStatus DataTransferError = new(StatusCodeType.Generic, 0x04, false);
    public static readonly NvmeStatus InternalError = new(StatusCodeType.Generic, 0x06, false);
    public static readonly NvmeStatus AbortRequested = new(StatusCodeType.Generic, 0x07, false);
    public static readonly NvmeStatus InvalidNamespace = new(StatusCodeType.Generic, 0x0B, true);
    public static readonly NvmeStatus CommandSequenceError = new(StatusCodeType.Generic, 0x0C, true);
    public static readonly NvmeStatus DataSglLengthInvalid = new(StatusCodeType.Generic, 0x0F, true);
    public static readonly NvmeStatus SglDescriptorTypeInvalid = new(StatusCodeType.Generic, 0x11, true);
    public static readonly NvmeStatus SglOffsetInvalid = new(StatusCodeType.Generic, 0x16, true);
    public static readonly NvmeStatus NamespaceWriteProtected = new(StatusCodeType.Generic, 0x20, true);
    public static readonly NvmeStatus HostIdentifierInconsistentFormat = new(StatusCodeType.Generic, 0x18, true);
    public static readonly NvmeStatus TransientTransportError = new(StatusCodeType.Generic, 0x22, false);
    public static readonly NvmeStatus LbaOutOfRange = new(StatusCodeType.Generic, 0x80, true);
    public static readonly NvmeStatus NamespaceNotReady = new(StatusCodeType.Generic, 0x82, false);
    public static readonly NvmeStatus ReservationConflict = new(StatusCodeType.Generic, 0x83, true);

    // Command specific status (figure 95, and NVMe over Fabrics 1.1 figure 27 for Connect).
    public static readonly NvmeStatus AsyncEventRequestLimitExceeded = new(StatusCodeType.CommandSpecific, 0x05, true);
    public static readonly NvmeStatus InvalidLogPage = new(StatusCodeType.CommandSpecific, 0x09, true);
    public static readonly NvmeStatus FeatureNotSaveable = new(StatusCodeType.CommandSpecific, 0x0D, true);
    public static readonly NvmeStatus ConnectInvalidParameters = new(StatusCodeType.CommandSpecific, 0x82, true);
    public static readonly NvmeStatus ConnectInvalidHost = new(StatusCodeType.CommandSpecific, 0x84, true);

    // Media and data integrity errors (figure 96).
    public static readonly NvmeStatus WriteFault = new(StatusCodeType.MediaAndDataIntegrity, 0x80, false);
    public static readonly NvmeStatus UnrecoveredReadError = new(StatusCodeType.MediaAndDataIntegrity, 0x81, false);
    public static readonly NvmeStatus CompareFailure = new(StatusCodeType.MediaAndDataIntegrity, 0x85, true);

    // Path related status (figure 97): ANA states.
    public static readonly NvmeStatus AsymmetricAccessInaccessible = new(StatusCodeType.PathRelated, 0x02, false);
    public static readonly NvmeStatus AsymmetricAccessTransition = new(StatusCodeType.PathRelated, 0x03, false);

    public bool IsSuccess => Type == StatusCodeType.Generic && Code == 0;

    /// <summary>Bits 15:0 of CQE dword 3 with the phase tag clear.</summary>
    public ushort Field => (ushort)((Code << 1) | ((int)Type << 9) | (DoNotRetry ? 0x8000 : 0));

    public static NvmeStatus FromField(ushort field) => new((StatusCodeType)((field >> 9) & 0x7), (byte)(field >> 1), (field & 0x8000) != 0);

    public override string ToString() => $"SCT {(int)Type:x} SC {Code:x2}{(DoNotRetry ? " DNR" : "")}";
}
