using System.Diagnostics.CodeAnalysis;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// <see cref="DoesNotReturnAttribute"/> throw helpers: keep the throwing code out of the callers so
/// the hot paths stay small and the compiler knows the branch ends.
/// </summary>
internal static class ScsiErrors
{
    [DoesNotReturn]
    public static void InvalidCommandOperationCode() =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode, FieldPointer.Cdb(0));

    /// <summary>SPC-4 4.5.2.4.2: INVALID FIELD IN CDB with a field pointer to the offending byte/bit.</summary>
    [DoesNotReturn]
    public static void InvalidFieldInCdb(int byteIndex, int bitIndex = -1) =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb, FieldPointer.Cdb(byteIndex, bitIndex));

    [DoesNotReturn]
    public static void InvalidFieldInParameterList(int byteIndex, int bitIndex = -1) =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInParameterList, FieldPointer.Parameter(byteIndex, bitIndex));

    [DoesNotReturn]
    public static void ParameterListLengthError() =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.ParameterListLengthError);

    [DoesNotReturn]
    public static void LbaOutOfRange() =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);

    [DoesNotReturn]
    public static void LogicalUnitNotSupported() =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.LogicalUnitNotSupported);

    [DoesNotReturn]
    public static void WriteProtected() =>
        throw new ScsiException(SenseKey.DataProtect, AdditionalSense.WriteProtected);

    [DoesNotReturn]
    public static void SavingParametersNotSupported(int byteIndex, int bitIndex) =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.SavingParametersNotSupported, FieldPointer.Cdb(byteIndex, bitIndex));

    /// <summary>SBC-3 5.29 (VERIFY): INFORMATION = offset of the first byte that did not match.</summary>
    [DoesNotReturn]
    public static void Miscompare(long offset) =>
        throw new ScsiException(SenseKey.Miscompare, AdditionalSense.MiscompareDuringVerifyOperation, information: offset);

    /// <summary>
    /// SBC-3 4.11.1: commands during a sanitize operation: NOT READY, LOGICAL UNIT NOT READY, SANITIZE IN
    /// PROGRESS, with the PROGRESS INDICATION (SPC-4 4.5.2.4.4) of how far the operation has come.
    /// </summary>
    [DoesNotReturn]
    public static void SanitizeInProgress(ushort progress) =>
        throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadySanitizeInProgress, progress: progress);

    /// <summary>SPC-4 4.5.6: a command that needs the medium while it is removed: NOT READY, MEDIUM NOT PRESENT.</summary>
    [DoesNotReturn]
    public static void MediumNotPresent() =>
        throw new ScsiException(SenseKey.NotReady, AdditionalSense.MediumNotPresent);

    /// <summary>SBC-3 5.25: unloading (or loading) while medium removal is prevented: ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED.</summary>
    [DoesNotReturn]
    public static void MediumRemovalPrevented() =>
        throw new ScsiException(SenseKey.IllegalRequest, AdditionalSense.MediumRemovalPrevented);

    /// <summary>SBC-3 5.19.1: the sanitize operation failed: MEDIUM ERROR, SANITIZE COMMAND FAILED.</summary>
    [DoesNotReturn]
    public static void WriteErrorDuringSanitize() =>
        throw new ScsiException(SenseKey.MediumError, AdditionalSense.SanitizeCommandFailed);
}
