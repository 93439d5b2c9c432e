using System.Buffers;
using System.Runtime.CompilerServices;
using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// SBC-3 5.8-5.11 READ(6/10/12/16) and 5.32-5.35 WRITE(6/10/12/16): the hot path. No LINQ, no
/// strings, no allocation unless the device completes asynchronously (the async state machine) or the
/// data-in buffer is too small for the transfer (one pooled block).
/// </summary>
internal static partial class CommandHandlers
{
    private const byte Fua = 0x08;

    /// <summary>READ(6): 21-bit LBA; "A TRANSFER LENGTH field set to zero specifies that 256 logical blocks shall be read".</summary>
    public static ValueTask<ScsiResult> Read6(CommandContext context)
    {
        var cdb = context.Cdb;
        var lba = CdbReader.UInt24(cdb, 1) & 0x1F_FFFF;
        var blocks = cdb[4] == 0 ? 256u : cdb[4];
        return ReadBlocks(context, lba, blocks, lengthOffset: 4);
    }

    public static ValueTask<ScsiResult> Read10(CommandContext context)
    {
        var cdb = context.Cdb;
        return ReadBlocks(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7), lengthOffset: 7);
    }

    public static ValueTask<ScsiResult> Read12(CommandContext context)
    {
        var cdb = context.Cdb;
        return ReadBlocks(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt32(cdb, 6), lengthOffset: 6);
    }

    public static ValueTask<ScsiResult> Read16(CommandContext context)
    {
        var cdb = context.Cdb;
        return ReadBlocks(context, CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10), lengthOffset: 10);
    }

    /// <summary>WRITE(6): like READ(6), a TRANSFER LENGTH of zero means 256 blocks.</summary>
    public static ValueTask<ScsiResult> Write6(CommandContext context)
    {
        var cdb = context.Cdb;
        var lba = CdbReader.UInt24(cdb, 1) & 0x1F_FFFF;
        var blocks = cdb[4] == 0 ? 256u : cdb[4];
        return WriteBlocks(context, lba, blocks, forceUnitAccess: false, lengthOffset: 4);
    }

    public static ValueTask<ScsiResult> Write10(CommandContext context)
    {
        var cdb = context.Cdb;
        return WriteBlocks(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt16(cdb, 7), (cdb[1] & Fua) != 0, lengthOffset: 7);
    }

    public static ValueTask<ScsiResult> Write12(CommandContext context)
    {
        var cdb = context.Cdb;
        return WriteBlocks(context, CdbReader.UInt32(cdb, 2), CdbReader.UInt32(cdb, 6), (cdb[1] & Fua) != 0, lengthOffset: 6);
    }

    public static ValueTask<ScsiResult> Write16(CommandContext context)
    {
        var cdb = context.Cdb;
        return WriteBlocks(context, CdbReader.UInt64(cdb, 2), CdbReader.UInt32(cdb, 10), (cdb[1] & Fua) != 0, lengthOffset: 10);
    }

    /// <summary>
    /// Reads straight into the data-in buffer. DPO and FUA are accepted: the device's cache is the
    /// page cache, coherent with the medium, so FUA adds nothing to a read. When the data-in buffer
    /// (the initiator's expected transfer length) is shorter than the CDB's transfer, we fill what fits,
    /// whole blocks directly and a trailing partial block through one pooled block buffer, and still
    /// report DataInLength = blocks x block size; the transport derives the residual overflow.
    /// libiscsi test_read10_residuals expects exactly that: GOOD, the first EDTL bytes, overflow.
    /// </summary>
    private static ValueTask<ScsiResult> ReadBlocks(CommandContext context, ulong lba, uint blocks, int lengthOffset)
    {
        var unit = context.Unit;
        CheckTransferLength(unit, blocks, lengthOffset);
        unit.CheckRange(lba, blocks);

        // SBC-3: "A TRANSFER LENGTH field set to zero specifies that no logical blocks shall be read.
        // This condition shall not be considered an error."
        if (blocks == 0)
        {
            return new(ScsiResult.Good());
        }

        var length = (int)blocks * unit.BlockSize;
        var result = ScsiResult.Good(dataInLength: length);
        var destination = context.Command.DataIn;
        if (destination.Length >= length)
        {
            return Completed(unit.Device.ReadAsync((long)lba, destination[..length], context.CancellationToken), result);
        }

        return ReadWhatFitsAsync(unit, (long)lba, destination, result, context.CancellationToken);
    }

    private static async ValueTask<ScsiResult> ReadWhatFitsAsync(LogicalUnit unit, long lba, Memory<byte> destination, ScsiResult result, CancellationToken cancellationToken)
    {
        var blockSize = unit.BlockSize;
        var whole = destination.Length / blockSize * blockSize;
        if (whole > 0)
        {
            await unit.Device.ReadAsync(lba, destination[..whole], cancellationToken).ConfigureAwait(false);
        }

        var tail = destination.Length - whole;
        if (tail > 0)
        {
            var block = ArrayPool<byte>.Shared.Rent(blockSize);
            try
            {
                await unit.Device.ReadAsync(lba + (whole / blockSize), block.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
                block.AsSpan(0, tail).CopyTo(destination.Span[whole..]);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }

        return result;
    }

    /// <summary>
    /// Writes the data-out buffer. FUA maps to <see cref="WriteOptions.ForceUnitAccess"/>; DPO is a
    /// cache hint we ignore. Data-out shorter than the CDB's transfer (the initiator's expected length
    /// was smaller): we write the whole blocks received and nothing else, and return GOOD with
    /// DataOutLength = blocks x block size so the transport reports the overflow. This is what
    /// libiscsi test_write10_residuals checks: "Write two blocks of 'b' but set iSCSI EDTL to 1
    /// blocks" must leave the second block unchanged, and EDTL 0 or 200 bytes must still be GOOD with
    /// an overflow. Data-out longer than the transfer writes only the CDB's blocks (underflow).
    /// </summary>
    private static ValueTask<ScsiResult> WriteBlocks(CommandContext context, ulong lba, uint blocks, bool forceUnitAccess, int lengthOffset)
    {
        var unit = context.Unit;
        CheckTransferLength(unit, blocks, lengthOffset);
        unit.CheckRange(lba, blocks);
        unit.CheckWritable();
        if (blocks == 0)
        {
            return new(ScsiResult.Good());
        }

        var length = (int)blocks * unit.BlockSize;
        var source = context.Command.DataOut;
        var received = Math.Min(length, source.Length) / unit.BlockSize * unit.BlockSize;
        var result = ScsiResult.Good(dataOutLength: length);
        if (received == 0)
        {
            return new(result);
        }

        var options = forceUnitAccess ? WriteOptions.ForceUnitAccess : WriteOptions.None;
        var gate = unit.WriteGate;
        if (!gate.TryEnterWrite())
        {
            return UnderWriteGateAsync((unit, lba, source[..received], options, result, context.CancellationToken), static s => Completed(s.unit.Device.WriteAsync((long)s.lba, s.Item3, s.options, s.CancellationToken), s.result), unit, context.CancellationToken);
        }

        ValueTask pending;
        try
        {
            pending = unit.Device.WriteAsync((long)lba, source[..received], options, context.CancellationToken);
        }
        catch
        {
            gate.ExitWrite();
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            gate.ExitWrite();
            return new(result);
        }

        return AwaitWriteAsync(pending, gate, result);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ScsiResult> AwaitWriteAsync(ValueTask pending, AtomicWriteGate gate, ScsiResult result)
    {
        try
        {
            await pending.ConfigureAwait(false);
            return result;
        }
        finally
        {
            gate.ExitWrite();
        }
    }

    /// <summary>
    /// Runs a write-like operation as a writer of <see cref="LogicalUnit.WriteGate"/> (waiting while a
    /// COMPARE AND WRITE holds it). For the commands off the hot path: WRITE SAME, UNMAP, and WRITE
    /// when an atomic operation is pending.
    /// </summary>
    private static async ValueTask<ScsiResult> UnderWriteGateAsync<TState>(TState state, Func<TState, ValueTask<ScsiResult>> operation, LogicalUnit unit, CancellationToken cancellationToken)
    {
        var gate = unit.WriteGate;
        if (!gate.TryEnterWrite())
        {
            await gate.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await operation(state).ConfigureAwait(false);
        }
        finally
        {
            gate.ExitWrite();
        }
    }

    /// <summary>
    /// SBC-3 6.5.3: "If a device server receives a request for a transfer length exceeding [MAXIMUM
    /// TRANSFER LENGTH], then the device server shall terminate the command with ... INVALID FIELD IN CDB."
    /// </summary>
    private static void CheckTransferLength(LogicalUnit unit, ulong blocks, int lengthOffset)
    {
        if (blocks > unit.MaxTransferBlocks)
        {
            ScsiErrors.InvalidFieldInCdb(lengthOffset);
        }
    }

    /// <summary>
    /// Finishes a device operation without an async state machine when it already completed, and with
    /// a pooled one when it did not: the per-command budget is zero allocations either way.
    /// </summary>
    private static ValueTask<ScsiResult> Completed(ValueTask pending, ScsiResult result)
    {
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return new(result);
        }

        return AwaitThenAsync(pending, result);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ScsiResult> AwaitThenAsync(ValueTask pending, ScsiResult result)
    {
        await pending.ConfigureAwait(false);
        return result;
    }
}
