using System.Buffers;
using System.Buffers.Binary;
using Storlane.Storage;

namespace Storlane.Nvme.Target;

/// <summary>
/// NVM command set I/O (NVM command set 1.0, 3): Read, Write, Flush, Write Zeroes, Dataset
/// Management, Compare, on the same <see cref="IBlockDevice"/> the iSCSI LUN serves.
/// </summary>
internal sealed partial class NvmeTcpQueue
{
    /// <summary>Zeros for Write Zeroes on a device that cannot deallocate.</summary>
    private static readonly byte[] Zeros = new byte[1 << 20];

    private ValueTask<CommandResult> ExecuteIoAsync(NvmeController controller, SubmissionEntry sqe, byte[]? data, int length)
    {
        var subsystem = controller.Subsystem;
        if (sqe.Opcode == (byte)IoOpcode.Flush && sqe.NamespaceId == 0xFFFF_FFFF)
        {
            return FlushAllAsync(subsystem);
        }

        if (subsystem.FindNamespace(sqe.NamespaceId) is not { } ns)
        {
            return ValueTask.FromResult<CommandResult>(NvmeStatus.InvalidNamespace);
        }

        // ANA (base 2.0, 8.1.3.3): through an inaccessible path, commands end "Asymmetric Access Inaccessible".
        if (controller.AnaStateOf(ns) == AnaState.Inaccessible)
        {
            return ValueTask.FromResult<CommandResult>(NvmeStatus.AsymmetricAccessInaccessible);
        }

        if (ns.Unit.SanitizeInProgress || ns.Unit.MediumRemoved)
        {
            return ValueTask.FromResult<CommandResult>(NvmeStatus.NamespaceNotReady);
        }

        var reservations = ns.Unit.PersistentReservations;
        if (!reservations.IsServable)
        {
            // The reservation state cannot be vouched for (a shared store out of reach): another path may serve.
            return ValueTask.FromResult<CommandResult>(NvmeStatus.AsymmetricAccessTransition);
        }

        if (ReservationAccessOf((IoOpcode)sqe.Opcode) is { } writes && reservations.Conflicts(controller.Nexus, writes))
        {
            return ValueTask.FromResult<CommandResult>(NvmeStatus.ReservationConflict);
        }

        return (IoOpcode)sqe.Opcode switch
        {
            IoOpcode.ReservationRegister => ReservationRegisterAsync(controller, ns, sqe, data, length),
            IoOpcode.ReservationReport => ReservationReportAsync(controller, ns, sqe),
            IoOpcode.ReservationAcquire => ReservationAcquireAsync(controller, ns, sqe, data, length),
            IoOpcode.ReservationRelease => ReservationReleaseAsync(controller, ns, sqe, data, length),
            IoOpcode.Read => ReadAsync(subsystem, ns, sqe),
            IoOpcode.Write => WriteAsync(subsystem, ns, sqe, data, length),
            IoOpcode.Flush => FlushAsync(ns),
            IoOpcode.WriteZeroes => WriteZeroesAsync(ns, sqe),
            IoOpcode.DatasetManagement => DatasetManagementAsync(ns, sqe, data, length),
            IoOpcode.Compare => CompareAsync(ns, sqe, data, length),
            _ => ValueTask.FromResult<CommandResult>(NvmeStatus.InvalidOpcode),
        };
    }

    /// <summary>Checks the LBA range and transfer size of Read/Write/Compare; Success when the command may go on.</summary>
    private NvmeStatus CheckTransfer(NvmeNamespace ns, in SubmissionEntry sqe, out int bytes)
    {
        bytes = 0;
        var blocks = sqe.BlockCount;
        if (!ns.Contains(sqe.StartingLba, blocks))
        {
            return NvmeStatus.LbaOutOfRange;
        }

        var total = (long)blocks << ns.BlockShift;
        if (total > _server.Options.Limits.MaxTransferBytes)
        {
            // Above MDTS: "Invalid Field in Command" (base 2.0, 5.2 MDTS).
            return NvmeStatus.InvalidField;
        }

        if (sqe.SglLength < total)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        bytes = (int)total;
        return NvmeStatus.Success;
    }

    private async ValueTask<CommandResult> ReadAsync(NvmeSubsystem subsystem, NvmeNamespace ns, SubmissionEntry sqe)
    {
        if (sqe.SglIdentifier != SubmissionEntry.SglTransport)
        {
            return NvmeStatus.SglDescriptorTypeInvalid;
        }

        var status = CheckTransfer(ns, sqe, out var bytes);
        if (!status.IsSuccess)
        {
            return status;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            await ns.Device.ReadAsync((long)sqe.StartingLba, buffer.AsMemory(0, bytes)).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            NvmeLog.DeviceFailed(_logger, sqe.Opcode, ns.Nsid, e);
            return NvmeStatus.UnrecoveredReadError;
        }

        Interlocked.Add(ref subsystem.BytesRead, bytes);
        Interlocked.Increment(ref subsystem.ReadCommands);
        return new CommandResult(NvmeStatus.Success, Data: buffer, DataLength: bytes);
    }

    private async ValueTask<CommandResult> WriteAsync(NvmeSubsystem subsystem, NvmeNamespace ns, SubmissionEntry sqe, byte[]? data, int length)
    {
        if (ns.IsWriteProtected)
        {
            return NvmeStatus.NamespaceWriteProtected;
        }

        var status = CheckTransfer(ns, sqe, out var bytes);
        if (!status.IsSuccess)
        {
            return status;
        }

        if (data is null || length < bytes)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        try
        {
            await ns.Device.WriteAsync((long)sqe.StartingLba, data.AsMemory(0, bytes), sqe.ForceUnitAccess ? WriteOptions.ForceUnitAccess : WriteOptions.None).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            NvmeLog.DeviceFailed(_logger, sqe.Opcode, ns.Nsid, e);
            return NvmeStatus.WriteFault;
        }

        Interlocked.Add(ref subsystem.BytesWritten, bytes);
        Interlocked.Increment(ref subsystem.WriteCommands);
        return CommandResult.Ok;
    }

    private static async ValueTask<CommandResult> FlushAsync(NvmeNamespace ns)
    {
        await ns.Device.FlushAsync().ConfigureAwait(false);
        return CommandResult.Ok;
    }

    /// <summary>Flush with NSID FFFFFFFFh: every namespace (NVM command set 1.0, 3.3.2).</summary>
    private static async ValueTask<CommandResult> FlushAllAsync(NvmeSubsystem subsystem)
    {
        foreach (var ns in subsystem.Namespaces())
        {
            await ns.Device.FlushAsync().ConfigureAwait(false);
        }

        return CommandResult.Ok;
    }

    /// <summary>
    /// Write Zeroes (NVM command set 1.0, 3.3.7): DEAC (CDW12 bit 25) lets a thin namespace
    /// deallocate, which reads back zeros (DLFEAT 001b); otherwise zeros are written.
    /// </summary>
    private static async ValueTask<CommandResult> WriteZeroesAsync(NvmeNamespace ns, SubmissionEntry sqe)
    {
        if (ns.IsWriteProtected)
        {
            return NvmeStatus.NamespaceWriteProtected;
        }

        var lba = (long)sqe.StartingLba;
        long blocks = sqe.BlockCount;
        if (!ns.Contains(sqe.StartingLba, (ulong)blocks))
        {
            return NvmeStatus.LbaOutOfRange;
        }

        if (ns.SupportsUnmap)
        {
            await ns.Device.UnmapAsync(lba, blocks).ConfigureAwait(false);
            return CommandResult.Ok;
        }

        var perChunk = Zeros.Length >> ns.BlockShift;
        while (blocks > 0)
        {
            var count = (int)Math.Min(blocks, perChunk);
            await ns.Device.WriteAsync(lba, Zeros.AsMemory(0, count << ns.BlockShift)).ConfigureAwait(false);
            lba += count;
            blocks -= count;
        }

        return CommandResult.Ok;
    }

    /// <summary>
    /// Dataset Management (NVM command set 1.0, 3.3.3): NR at CDW10 7:0 (0's based), AD (deallocate)
    /// CDW11 bit 2; ranges of 16 bytes: context attributes, length in blocks, starting LBA.
    /// </summary>
    private static async ValueTask<CommandResult> DatasetManagementAsync(NvmeNamespace ns, SubmissionEntry sqe, byte[]? data, int length)
    {
        var ranges = (int)(sqe.Cdw10 & 0xFF) + 1;
        if (data is null || length < ranges * 16)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        var deallocate = (sqe.Cdw11 & 0b100) != 0;
        for (var i = 0; i < ranges; i++)
        {
            var range = data.AsSpan(i * 16, 16);
            var blocks = BinaryPrimitives.ReadUInt32LittleEndian(range[4..]);
            var lba = BinaryPrimitives.ReadUInt64LittleEndian(range[8..]);
            if (!ns.Contains(lba, blocks))
            {
                return NvmeStatus.LbaOutOfRange;
            }
        }

        if (!deallocate || !ns.SupportsUnmap)
        {
            // Attributes are hints; deallocation is advisory where the device cannot do it.
            return CommandResult.Ok;
        }

        if (ns.IsWriteProtected)
        {
            return NvmeStatus.NamespaceWriteProtected;
        }

        for (var i = 0; i < ranges; i++)
        {
            var blocks = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((i * 16) + 4));
            var lba = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan((i * 16) + 8));
            if (blocks != 0)
            {
                await ns.Device.UnmapAsync((long)lba, blocks).ConfigureAwait(false);
            }
        }

        return CommandResult.Ok;
    }

    /// <summary>Compare (NVM command set 1.0, 3.3.1): "Compare Failure" when the medium differs from the data.</summary>
    private async ValueTask<CommandResult> CompareAsync(NvmeNamespace ns, SubmissionEntry sqe, byte[]? data, int length)
    {
        var status = CheckTransfer(ns, sqe, out var bytes);
        if (!status.IsSuccess)
        {
            return status;
        }

        if (data is null || length < bytes)
        {
            return NvmeStatus.DataSglLengthInvalid;
        }

        var medium = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            await ns.Device.ReadAsync((long)sqe.StartingLba, medium.AsMemory(0, bytes)).ConfigureAwait(false);
            return medium.AsSpan(0, bytes).SequenceEqual(data.AsSpan(0, bytes)) ? CommandResult.Ok : NvmeStatus.CompareFailure;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(medium);
        }
    }
}
