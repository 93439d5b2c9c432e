using Storlane.Initiator.Scsi;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator;

/// <summary>
/// What every initiator-side disk shares: geometry, range checks, and READ/WRITE/SYNCHRONIZE
/// CACHE/UNMAP split by the LU's Block Limits. A subclass says only how one command is run (one
/// session, or the best of several paths).
/// </summary>
public abstract class BlockDisk : IAsyncDisposable
{
    /// <summary>Logical block size in bytes (512 or 4096 on Storlane).</summary>
    public int BlockSize { get; protected set; }

    /// <summary>Physical block size: logical size times 2^(LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT).</summary>
    public int PhysicalBlockSize { get; protected set; }

    public long BlockCount { get; protected set; }

    public long SizeBytes => BlockCount * BlockSize;

    /// <summary>Largest number of blocks one READ or WRITE carries; larger I/O is split.</summary>
    public int MaxTransferBlocks { get; protected set; } = int.MaxValue;

    /// <summary>Most blocks one UNMAP descriptor may carry (Block Limits MAXIMUM UNMAP LBA COUNT).</summary>
    public uint MaxUnmapBlocks { get; protected set; } = uint.MaxValue;

    /// <summary>The LU designator from VPD 83h (NAA preferred); multipath groups paths by it.</summary>
    public DeviceDesignator? Designator { get; protected set; }

    /// <summary>Reads <c>buffer.Length / BlockSize</c> blocks starting at <paramref name="lba"/>.</summary>
    public async ValueTask ReadAsync(long lba, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var blocks = CheckRange(lba, buffer.Length);
        while (blocks > 0)
        {
            var chunk = Math.Min(blocks, MaxTransferBlocks);
            var bytes = chunk * BlockSize;
            await RunCommandAsync(ScsiCdb.Read16((ulong)lba, (uint)chunk), buffer[..bytes], default, cancellationToken).ConfigureAwait(false);
            buffer = buffer[bytes..];
            lba += chunk;
            blocks -= chunk;
        }
    }

    /// <summary>Writes <c>data.Length / BlockSize</c> blocks at <paramref name="lba"/>; <paramref name="forceUnitAccess"/> writes through the target's cache.</summary>
    public async ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> data, bool forceUnitAccess = false, CancellationToken cancellationToken = default)
    {
        var blocks = CheckRange(lba, data.Length);
        while (blocks > 0)
        {
            var chunk = Math.Min(blocks, MaxTransferBlocks);
            var bytes = chunk * BlockSize;
            await RunCommandAsync(ScsiCdb.Write16((ulong)lba, (uint)chunk, forceUnitAccess), default, data[..bytes], cancellationToken).ConfigureAwait(false);
            data = data[bytes..];
            lba += chunk;
            blocks -= chunk;
        }
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => WriteAsync(lba, data, false, cancellationToken);

    /// <summary>SYNCHRONIZE CACHE(16) over the whole LU.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        RunCommandAsync(ScsiCdb.SynchronizeCache16(), default, default, cancellationToken);

    /// <summary>UNMAP <paramref name="blocks"/> blocks from <paramref name="lba"/>, split by the target's MAXIMUM UNMAP LBA COUNT.</summary>
    public async ValueTask UnmapAsync(long lba, long blocks, CancellationToken cancellationToken = default)
    {
        if (lba < 0 || blocks < 0 || lba + blocks > BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), $"blocks {lba}..{lba + blocks} are outside the disk (0..{BlockCount})");
        }

        var list = new byte[24];
        while (blocks > 0)
        {
            var chunk = (uint)Math.Min(blocks, MaxUnmapBlocks);
            Cdbs.UnmapParameters(list, (ulong)lba, chunk);
            await RunCommandAsync(ScsiCdb.Unmap((ushort)list.Length), default, list, cancellationToken).ConfigureAwait(false);
            lba += chunk;
            blocks -= chunk;
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Runs one command to GOOD status, or throws.</summary>
    protected abstract ValueTask RunCommandAsync(ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken);

    private int CheckRange(long lba, int length)
    {
        if (length % BlockSize != 0)
        {
            throw new ArgumentException($"the buffer length {length} is not a multiple of the block size {BlockSize}");
        }

        var blocks = length / BlockSize;
        if (lba < 0 || lba + blocks > BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(lba), lba, $"blocks {lba}..{lba + blocks} are outside the disk (0..{BlockCount})");
        }

        return blocks;
    }
}
