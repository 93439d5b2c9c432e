using System.Buffers;
using Storlane.Storage;

namespace Storlane.Scsi;

internal static partial class CommandHandlers
{
    private const byte SanitizeOverwrite = 0x01;
    private const byte SanitizeBlockErase = 0x02;
    private const byte SanitizeCryptographicErase = 0x03;
    private const byte SanitizeExitFailureMode = 0x1F;
    private const byte SanitizeImmediate = 0x80;
    private const int SanitizeOverwriteHeaderLength = 4;

    /// <summary>Bytes written per device call while overwriting.</summary>
    private const int SanitizeChunkBytes = 1 << 20;

    /// <summary>
    /// SBC-3 5.19 SANITIZE (48h), as far as a memory or file backend can honestly go:
    /// <list type="bullet">
    /// <item>OVERWRITE (01h): "If the PARAMETER LIST LENGTH field is set to a value less than 5 or greater
    /// than the logical block length plus four, then the device server shall terminate the command
    /// with ... INVALID FIELD IN CDB"; in the parameter list (5.19.2) OVERWRITE COUNT 0, TEST other than
    /// 00b, an INITIALIZATION PATTERN LENGTH of 0, above the logical block length or beyond the list
    /// are INVALID FIELD IN PARAMETER LIST. Every block is written with the pattern repeated to fill
    /// it (inverted when INVERT = 1 and the count is even: what the last pass leaves), then the device
    /// is flushed. Earlier passes are not written: on a virtual medium they leave nothing behind that
    /// the last pass does not replace.</item>
    /// <item>BLOCK ERASE (02h): every block is deallocated (UNMAP of the whole unit; LBPRZ = 1, so
    /// reads return zeros: WABEREQ 01b). Only on a unit with logical block provisioning; the
    /// PARAMETER LIST LENGTH must be zero.</item>
    /// <item>CRYPTOGRAPHIC ERASE (03h): on an encrypted unit (<c>encrypted: true</c>) the key is
    /// replaced, durably, so every block written before reads back as noise (WACEREQ 01b); the
    /// PARAMETER LIST LENGTH must be zero. Elsewhere it is not in the command table, so it is INVALID
    /// FIELD IN CDB like any unknown service action.</item>
    /// <item>EXIT FAILURE MODE (1Fh): a sanitize never leaves the unit in a failure mode, so it is GOOD
    /// with PARAMETER LIST LENGTH zero and INVALID FIELD IN CDB otherwise.</item>
    /// </list>
    /// A write-protected unit is DATA PROTECT, WRITE PROTECTED. While the operation runs, every other
    /// command but INQUIRY, REPORT LUNS and REQUEST SENSE ends NOT READY, LOGICAL UNIT NOT READY,
    /// SANITIZE IN PROGRESS (SBC-3 4.11.1); with IMMED = 1 the command returns GOOD once the parameters
    /// are validated and the operation continues in the background.
    /// </summary>
    public static ValueTask<ScsiResult> Sanitize(CommandContext context)
    {
        var cdb = context.Cdb;
        var unit = context.Unit;
        var serviceAction = (byte)(cdb[1] & 0x1F);
        var listLength = CdbReader.UInt16(cdb, 7);
        if (serviceAction == SanitizeExitFailureMode)
        {
            if (listLength != 0)
            {
                ScsiErrors.InvalidFieldInCdb(7);
            }

            return new(ScsiResult.Good());
        }

        byte[]? block = null;
        if (serviceAction == SanitizeOverwrite)
        {
            if (listLength < SanitizeOverwriteHeaderLength + 1 || listLength > unit.BlockSize + SanitizeOverwriteHeaderLength)
            {
                ScsiErrors.InvalidFieldInCdb(7);
            }

            var data = context.Command.DataOut.Span;
            if (data.Length < listLength)
            {
                ScsiErrors.ParameterListLengthError();
            }

            block = OverwriteBlock(data[..listLength], unit.BlockSize);
        }
        else if (listLength != 0)
        {
            ScsiErrors.InvalidFieldInCdb(7);
        }

        unit.CheckWritable();
        if (!unit.TryBeginSanitize())
        {
            ScsiErrors.SanitizeInProgress();
        }

        var operation = RunSanitizeAsync(context.Target, unit, block, cryptographic: serviceAction == SanitizeCryptographicErase);
        if ((cdb[1] & SanitizeImmediate) != 0)
        {
            return new(ScsiResult.Good(dataOutLength: listLength));
        }

        return AwaitSanitizeAsync(operation, listLength);
    }

    private static async ValueTask<ScsiResult> AwaitSanitizeAsync(Task<bool> operation, int listLength)
    {
        if (!await operation.ConfigureAwait(false))
        {
            ScsiErrors.WriteErrorDuringSanitize();
        }

        return ScsiResult.Good(dataOutLength: listLength);
    }

    /// <summary>
    /// SBC-3 5.19.2 OVERWRITE parameter list: INVERT (byte 0 bit 7), TEST (bits 6..5), OVERWRITE COUNT
    /// (bits 4..0), INITIALIZATION PATTERN LENGTH (bytes 2..3), then the pattern. Returns one logical
    /// block as the last pass writes it.
    /// </summary>
    private static byte[] OverwriteBlock(ReadOnlySpan<byte> list, int blockSize)
    {
        var invert = (list[0] & 0x80) != 0;
        if ((list[0] & 0x60) != 0)
        {
            ScsiErrors.InvalidFieldInParameterList(0, 6);
        }

        var count = list[0] & 0x1F;
        if (count == 0)
        {
            ScsiErrors.InvalidFieldInParameterList(0, 4);
        }

        var patternLength = CdbReader.UInt16(list, 2);
        if (patternLength == 0 || patternLength > blockSize || SanitizeOverwriteHeaderLength + patternLength > list.Length)
        {
            ScsiErrors.InvalidFieldInParameterList(2);
        }

        var pattern = list.Slice(SanitizeOverwriteHeaderLength, patternLength);
        var block = new byte[blockSize];
        for (var offset = 0; offset < blockSize; offset += patternLength)
        {
            pattern[..Math.Min(patternLength, blockSize - offset)].CopyTo(block.AsSpan(offset));
        }

        // Passes alternate pattern and inverted pattern; the last pass of an even count is inverted.
        if (invert && count % 2 == 0)
        {
            for (var i = 0; i < block.Length; i++)
            {
                block[i] = (byte)~block[i];
            }
        }

        return block;
    }

    /// <summary>
    /// The operation itself, excluding every writer (the atomic gate waits for writes in flight; new
    /// commands already see SANITIZE IN PROGRESS). Not cancellable: SBC-3 lets no task management
    /// function stop a sanitize. False when the device failed (logged).
    /// </summary>
    private static async Task<bool> RunSanitizeAsync(ScsiTargetDevice target, LogicalUnit unit, byte[]? block, bool cryptographic)
    {
        await Task.Yield();
        await unit.WriteGate.EnterAtomicAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (cryptographic)
            {
                await ((Storage.Encryption.ICryptoErasable)unit.Device).CryptoEraseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else if (block is null)
            {
                await unit.Device.UnmapAsync(0, unit.BlockCount, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await OverwriteAllAsync(unit, block).ConfigureAwait(false);
            }

            await unit.Device.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e)
        {
            ScsiLog.CommandFailed(target.Logger, target.TargetName, unit.Lun, "SANITIZE", e);
            return false;
        }
        finally
        {
            unit.WriteGate.ExitAtomic();
            unit.EndSanitize();
        }
    }

    private static async Task OverwriteAllAsync(LogicalUnit unit, byte[] block)
    {
        var blocksPerChunk = (int)Math.Min(Math.Max(1, SanitizeChunkBytes / unit.BlockSize), unit.BlockCount);
        var buffer = ArrayPool<byte>.Shared.Rent(blocksPerChunk * unit.BlockSize);
        try
        {
            for (var i = 0; i < blocksPerChunk; i++)
            {
                block.CopyTo(buffer, i * unit.BlockSize);
            }

            for (long lba = 0; lba < unit.BlockCount; lba += blocksPerChunk)
            {
                var blocks = (int)Math.Min(blocksPerChunk, unit.BlockCount - lba);
                await unit.Device.WriteAsync(lba, buffer.AsMemory(0, blocks * unit.BlockSize), WriteOptions.None, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
