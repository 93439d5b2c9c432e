using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// Every command Storlane answers, in ascending opcode / service action order. Dispatch, CDB field
/// checks and REPORT SUPPORTED OPERATION CODES all read this one list, so what is reported is what
/// runs. The CDB USAGE DATA masks follow the CDB layouts of SPC-4 and SBC-3; the control byte mask is
/// zero (NACA and the obsolete LINK bit are not supported, SAM-5 5.2).
/// </summary>
internal static class CommandTable
{
    private const byte Ctl = 0x00;

    // READ/WRITE(10/12/16) byte 1: RDPROTECT/WRPROTECT (7..5) unsupported (no protection information),
    // DPO (4), FUA (3), FUA_NV (1) accepted; byte "group": GROUP NUMBER (4..0) accepted and ignored.
    private const byte DpoFua = 0x1A;
    private const byte Group = 0x1F;

    // VERIFY byte 1: VRPROTECT unsupported, DPO (4) and BYTCHK (2..1).
    private const byte DpoBytchk = 0x16;

    public static IReadOnlyList<CommandDescriptor> All { get; } =
    [
        new() { Name = "TEST UNIT READY", Opcode = 0x00, UsageData = [0x00, 0x00, 0x00, 0x00, 0x00, Ctl], Access = ReservationAccess.Status, Handler = CommandHandlers.TestUnitReady, NeedsMedium = true },
        new() { Name = "REQUEST SENSE", Opcode = 0x03, UsageData = [0x03, 0x01, 0x00, 0x00, 0xFF, Ctl], Access = ReservationAccess.Allowed, Handler = CommandHandlers.RequestSense, AnswersWithoutLogicalUnit = true, Alua = AluaAccess.Always },
        new() { Name = "READ(6)", Opcode = 0x08, UsageData = [0x08, 0x1F, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Read6, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "WRITE(6)", Opcode = 0x0A, UsageData = [0x0A, 0x1F, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Write6, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "INQUIRY", Opcode = 0x12, UsageData = [0x12, 0x01, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Allowed, Handler = CommandHandlers.Inquiry, AnswersWithoutLogicalUnit = true, Alua = AluaAccess.Always },
        new() { Name = "MODE SELECT(6)", Opcode = 0x15, UsageData = [0x15, 0x10, 0x00, 0x00, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.ModeSelect6, Alua = AluaAccess.Standby },
        new() { Name = "RESERVE(6)", Opcode = 0x16, UsageData = [0x16, 0x00, 0x00, 0x00, 0x00, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.Reserve },
        new() { Name = "RELEASE(6)", Opcode = 0x17, UsageData = [0x17, 0x00, 0x00, 0x00, 0x00, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.Release },
        new() { Name = "MODE SENSE(6)", Opcode = 0x1A, UsageData = [0x1A, 0x08, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.ModeSense6, Alua = AluaAccess.Standby },
        new() { Name = "START STOP UNIT", Opcode = 0x1B, UsageData = [0x1B, 0x01, 0x00, 0x0F, 0xF7, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.StartStopUnit, DeviceErrors = DeviceErrorKind.Write },
        new() { Name = "PREVENT ALLOW MEDIUM REMOVAL", Opcode = 0x1E, UsageData = [0x1E, 0x00, 0x00, 0x00, 0x03, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PreventAllowMediumRemoval, SupportedBy = static unit => unit.IsRemovable },
        new() { Name = "READ CAPACITY(10)", Opcode = 0x25, UsageData = [0x25, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, Ctl], Access = ReservationAccess.Status, Handler = CommandHandlers.ReadCapacity10, NeedsMedium = true },
        new() { Name = "READ(10)", Opcode = 0x28, UsageData = [0x28, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Read10, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "WRITE(10)", Opcode = 0x2A, UsageData = [0x2A, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Write10, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "WRITE AND VERIFY(10)", Opcode = 0x2E, UsageData = [0x2E, DpoBytchk, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.WriteAndVerify10, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "VERIFY(10)", Opcode = 0x2F, UsageData = [0x2F, DpoBytchk, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Verify10, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "PRE-FETCH(10)", Opcode = 0x34, UsageData = [0x34, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.PreFetch10, NeedsMedium = true },
        new() { Name = "SYNCHRONIZE CACHE(10)", Opcode = 0x35, UsageData = [0x35, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.SynchronizeCache10, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 60, NeedsMedium = true },
        new() { Name = "READ DEFECT DATA(10)", Opcode = 0x37, UsageData = [0x37, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.ReadDefectData10, NeedsMedium = true },
        new() { Name = "WRITE SAME(10)", Opcode = 0x41, UsageData = [0x41, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.WriteSame10, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 60, NeedsMedium = true },
        new() { Name = "UNMAP", Opcode = 0x42, UsageData = [0x42, 0x00, 0x00, 0x00, 0x00, 0x00, Group, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Unmap, SupportedBy = static unit => unit.SupportsUnmap, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 60, NeedsMedium = true },
        new() { Name = "SANITIZE (OVERWRITE)", Opcode = 0x48, ServiceAction = 0x01, UsageData = [0x48, 0xA1, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Sanitize, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 600, NeedsMedium = true },
        new() { Name = "SANITIZE (BLOCK ERASE)", Opcode = 0x48, ServiceAction = 0x02, UsageData = [0x48, 0xA2, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Sanitize, SupportedBy = static unit => unit.SupportsUnmap, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 600, NeedsMedium = true },
        new() { Name = "SANITIZE (CRYPTOGRAPHIC ERASE)", Opcode = 0x48, ServiceAction = 0x03, UsageData = [0x48, 0xA3, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Sanitize, SupportedBy = static unit => unit.SupportsCryptoErase, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 600, NeedsMedium = true },
        new() { Name = "SANITIZE (EXIT FAILURE MODE)", Opcode = 0x48, ServiceAction = 0x1F, UsageData = [0x48, 0xBF, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Sanitize, NeedsMedium = true },
        new() { Name = "MODE SELECT(10)", Opcode = 0x55, UsageData = [0x55, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.ModeSelect10, Alua = AluaAccess.Standby },
        new() { Name = "RESERVE(10)", Opcode = 0x56, UsageData = [0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.Reserve },
        new() { Name = "RELEASE(10)", Opcode = 0x57, UsageData = [0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.Release },
        new() { Name = "MODE SENSE(10)", Opcode = 0x5A, UsageData = [0x5A, 0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.ModeSense10, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE IN (READ KEYS)", Opcode = 0x5E, ServiceAction = 0x00, UsageData = [0x5E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveIn, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE IN (READ RESERVATION)", Opcode = 0x5E, ServiceAction = 0x01, UsageData = [0x5E, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveIn, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE IN (REPORT CAPABILITIES)", Opcode = 0x5E, ServiceAction = 0x02, UsageData = [0x5E, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveIn, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE IN (READ FULL STATUS)", Opcode = 0x5E, ServiceAction = 0x03, UsageData = [0x5E, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveIn, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (REGISTER)", Opcode = 0x5F, ServiceAction = 0x00, UsageData = [0x5F, 0x00, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (RESERVE)", Opcode = 0x5F, ServiceAction = 0x01, UsageData = [0x5F, 0x01, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (RELEASE)", Opcode = 0x5F, ServiceAction = 0x02, UsageData = [0x5F, 0x02, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (CLEAR)", Opcode = 0x5F, ServiceAction = 0x03, UsageData = [0x5F, 0x03, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (PREEMPT)", Opcode = 0x5F, ServiceAction = 0x04, UsageData = [0x5F, 0x04, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (PREEMPT AND ABORT)", Opcode = 0x5F, ServiceAction = 0x05, UsageData = [0x5F, 0x05, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (REGISTER AND IGNORE EXISTING KEY)", Opcode = 0x5F, ServiceAction = 0x06, UsageData = [0x5F, 0x06, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "PERSISTENT RESERVE OUT (REGISTER AND MOVE)", Opcode = 0x5F, ServiceAction = 0x07, UsageData = [0x5F, 0x07, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, Ctl], Access = ReservationAccess.Reservation, Handler = CommandHandlers.PersistentReserveOut, RecommendedTimeoutSeconds = 60, Alua = AluaAccess.Standby },
        new() { Name = "EXTENDED COPY(LID1)", Opcode = 0x83, ServiceAction = 0x00, UsageData = [0x83, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.ExtendedCopy, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 600 },
        new() { Name = "RECEIVE COPY RESULTS (COPY STATUS)", Opcode = 0x84, ServiceAction = 0x00, UsageData = [0x84, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.ReceiveCopyStatus },
        new() { Name = "RECEIVE COPY RESULTS (OPERATING PARAMETERS)", Opcode = 0x84, ServiceAction = 0x03, UsageData = [0x84, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.ReceiveCopyOperatingParameters },
        new() { Name = "READ(16)", Opcode = 0x88, UsageData = [0x88, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Read16, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "COMPARE AND WRITE", Opcode = 0x89, UsageData = [0x89, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.CompareAndWrite, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "WRITE(16)", Opcode = 0x8A, UsageData = [0x8A, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Write16, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "ORWRITE(16)", Opcode = 0x8B, UsageData = [0x8B, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.OrWrite16, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "WRITE AND VERIFY(16)", Opcode = 0x8E, UsageData = [0x8E, DpoBytchk, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.WriteAndVerify16, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "VERIFY(16)", Opcode = 0x8F, UsageData = [0x8F, DpoBytchk, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Verify16, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "PRE-FETCH(16)", Opcode = 0x90, UsageData = [0x90, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.PreFetch16, NeedsMedium = true },
        new() { Name = "SYNCHRONIZE CACHE(16)", Opcode = 0x91, UsageData = [0x91, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.SynchronizeCache16, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 60, NeedsMedium = true },
        new() { Name = "WRITE SAME(16)", Opcode = 0x93, UsageData = [0x93, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.WriteSame16, DeviceErrors = DeviceErrorKind.Write, RecommendedTimeoutSeconds = 60, NeedsMedium = true },
        new() { Name = "WRITE ATOMIC(16)", Opcode = 0x9C, UsageData = [0x9C, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.WriteAtomic16, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "READ CAPACITY(16)", Opcode = 0x9E, ServiceAction = ScsiServiceAction.ReadCapacity16, UsageData = [0x9E, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, Ctl], Access = ReservationAccess.Status, Handler = CommandHandlers.ReadCapacity16, NeedsMedium = true },
        new() { Name = "GET LBA STATUS", Opcode = 0x9E, ServiceAction = ScsiServiceAction.GetLbaStatus, UsageData = [0x9E, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.GetLbaStatus, SupportedBy = static unit => unit.SupportsUnmap, NeedsMedium = true },
        new() { Name = "REPORT LUNS", Opcode = 0xA0, UsageData = [0xA0, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Allowed, Handler = CommandHandlers.ReportLuns, AnswersWithoutLogicalUnit = true, Alua = AluaAccess.Always },
        new() { Name = "REPORT TARGET PORT GROUPS", Opcode = 0xA3, ServiceAction = ScsiServiceAction.ReportTargetPortGroups, UsageData = [0xA3, 0x2A, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Allowed, Handler = CommandHandlers.ReportTargetPortGroups, Alua = AluaAccess.Always },
        new() { Name = "REPORT SUPPORTED OPERATION CODES", Opcode = 0xA3, ServiceAction = ScsiServiceAction.ReportSupportedOperationCodes, UsageData = [0xA3, 0x0C, 0x87, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Allowed, Handler = CommandHandlers.ReportSupportedOperationCodes, Alua = AluaAccess.Standby },
        new() { Name = "SET TARGET PORT GROUPS", Opcode = 0xA4, ServiceAction = ScsiServiceAction.SetTargetPortGroups, UsageData = [0xA4, 0x0A, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.SetTargetPortGroups, Alua = AluaAccess.Always },
        new() { Name = "READ(12)", Opcode = 0xA8, UsageData = [0xA8, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Read12, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "WRITE(12)", Opcode = 0xAA, UsageData = [0xAA, DpoFua, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.Write12, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "WRITE AND VERIFY(12)", Opcode = 0xAE, UsageData = [0xAE, DpoBytchk, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Write, Handler = CommandHandlers.WriteAndVerify12, DeviceErrors = DeviceErrorKind.Write, NeedsMedium = true },
        new() { Name = "VERIFY(12)", Opcode = 0xAF, UsageData = [0xAF, DpoBytchk, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, Group, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.Verify12, DeviceErrors = DeviceErrorKind.Read, NeedsMedium = true },
        new() { Name = "READ DEFECT DATA(12)", Opcode = 0xB7, UsageData = [0xB7, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, Ctl], Access = ReservationAccess.Read, Handler = CommandHandlers.ReadDefectData12, NeedsMedium = true },
    ];

    // Opcode -> the entry, or for opcodes with service actions the entries indexed by service action.
    private static readonly CommandDescriptor?[] ByOpcode = new CommandDescriptor?[256];
    private static readonly CommandDescriptor?[]?[] ByServiceAction = new CommandDescriptor?[]?[256];

    static CommandTable()
    {
        foreach (var command in All)
        {
            if (command.ServiceAction is { } serviceAction)
            {
                (ByServiceAction[command.Opcode] ??= new CommandDescriptor?[32])[serviceAction] = command;
            }
            else
            {
                ByOpcode[command.Opcode] = command;
            }
        }
    }

    /// <summary>True when the opcode has service actions here (its CDB byte 1 bits 4..0 select the command).</summary>
    public static bool HasServiceActions(byte opcode) => ByServiceAction[opcode] is not null;

    /// <summary>The entry for an opcode without service actions, or for an opcode and service action.</summary>
    public static CommandDescriptor? Find(byte opcode, int serviceAction = -1)
    {
        if (ByServiceAction[opcode] is { } actions)
        {
            return serviceAction is >= 0 and < 32 ? actions[serviceAction] : null;
        }

        return serviceAction < 0 ? ByOpcode[opcode] : null;
    }

    /// <summary>
    /// Looks the CDB up. Unknown opcode: INVALID COMMAND OPERATION CODE. Known opcode with a service
    /// action we do not implement: INVALID FIELD IN CDB pointing at the SERVICE ACTION field (SPC-4
    /// 4.2.5.2 uses the service action to name the command).
    /// </summary>
    public static CommandDescriptor Resolve(ReadOnlySpan<byte> cdb)
    {
        var opcode = cdb[0];
        if (ByServiceAction[opcode] is { } actions)
        {
            if (cdb.Length < 2 || actions[cdb[1] & 0x1F] is not { } byAction)
            {
                ScsiErrors.InvalidFieldInCdb(1, 4);
                return null!;
            }

            return byAction;
        }

        if (ByOpcode[opcode] is not { } command)
        {
            ScsiErrors.InvalidCommandOperationCode();
            return null!;
        }

        return command;
    }
}
