using System.Runtime.CompilerServices;

namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>Shared zeros for unmapping and replaying zero descriptors; never written to.</summary>
    private static readonly byte[] ZeroBuffer = new byte[VhdxFormat.Mib];

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckRange(Geometry, lba, destination.Length);
        var offset = lba << _sectorShift;
        while (!destination.IsEmpty)
        {
            var block = offset >> _blockShift;
            var within = (int)(offset & (_metadata.BlockSize - 1));
            var length = Math.Min(destination.Length, _metadata.BlockSize - within);
            var part = destination[..length];
            var entry = PayloadEntry(block);
            switch ((VhdxBlockState)VhdxBatEntry.State(entry))
            {
                case VhdxBlockState.FullyPresent:
                    await _file.ReadAsync(part, VhdxBatEntry.FileOffset(entry) + within, cancellationToken).ConfigureAwait(false);
                    break;
                case VhdxBlockState.PartiallyPresent:
                    await ReadPartialAsync(block, VhdxBatEntry.FileOffset(entry), offset, within, part, cancellationToken).ConfigureAwait(false);
                    break;
                case VhdxBlockState.NotPresent when _parent is not null:
                    await ReadParentAsync(offset, part, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    // Zero, unmapped, undefined, and not present without a parent all read as zeros.
                    part.Span.Clear();
                    break;
            }

            destination = destination[length..];
            offset += length;
        }
    }

    /// <summary>Reads a partially present block run by run: sectors whose bitmap bit is set from here, the rest from the parent.</summary>
    private async ValueTask ReadPartialAsync(long block, long blockFileOffset, long offset, int within, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var bitmap = await GetBitmapAsync(block / _layout.ChunkRatio, allocate: false, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{Path}: block {block} is partially present but its sector bitmap block is not (MS-VHDX 2.5.1.2)");
        var bit = BitInChunk(offset);
        var sectors = destination.Length >> _sectorShift;
        while (sectors > 0)
        {
            var run = (int)VhdxSectorBitmap.RunLength(bitmap, bit, sectors, out var present);
            var bytes = run << _sectorShift;
            if (present)
            {
                await _file.ReadAsync(destination[..bytes], blockFileOffset + within, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ReadParentAsync(offset, destination[..bytes], cancellationToken).ConfigureAwait(false);
            }

            destination = destination[bytes..];
            offset += bytes;
            within += bytes;
            bit += run;
            sectors -= run;
        }
    }

    /// <summary>Reads through to the parent; a child larger than its parent reads zeros past the parent's end.</summary>
    private async ValueTask ReadParentAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var parentSize = _parent!.Geometry.SizeInBytes;
        var inside = (int)Math.Clamp(parentSize - offset, 0, destination.Length);
        if (inside > 0)
        {
            await _parent.ReadAsync(offset >> _sectorShift, destination[..inside], cancellationToken).ConfigureAwait(false);
        }

        destination.Span[inside..].Clear();
    }

    /// <summary>The bit of the chunk's sector bitmap that describes the sector at <paramref name="offset"/>.</summary>
    private long BitInChunk(long offset) => (offset >> _sectorShift) & (VhdxFormat.SectorsPerChunk - 1);

    /// <summary>
    /// The chunk's sector bitmap, loaded once and kept. With <paramref name="allocate"/> a missing
    /// bitmap block gets 1 MB of zeroed file space and an SB_BLOCK_PRESENT entry; otherwise null.
    /// </summary>
    private async ValueTask<byte[]?> GetBitmapAsync(long chunk, bool allocate, CancellationToken cancellationToken)
    {
        lock (_metadataLock)
        {
            if (_bitmaps.TryGetValue(chunk, out var cached))
            {
                return cached;
            }
        }

        if (!_metadata.HasParent)
        {
            // Only a differencing disk's BAT has sector bitmap entries (MS-VHDX 2.5.1.2); a partially
            // present block elsewhere is corruption, not an index past the BAT.
            throw new InvalidDataException($"{Path}: a block in chunk {chunk} is partially present but the disk has no parent");
        }

        var index = _layout.SectorBitmapIndex(chunk);
        var entry = Volatile.Read(ref _bat[index]);
        if (VhdxBatEntry.State(entry) == VhdxBatEntry.SectorBitmapPresent)
        {
            var loaded = new byte[VhdxFormat.SectorBitmapBlockSize];
            await _file.ReadAsync(loaded, VhdxBatEntry.FileOffset(entry), cancellationToken).ConfigureAwait(false);
            lock (_metadataLock)
            {
                return _bitmaps.TryAdd(chunk, loaded) ? loaded : _bitmaps[chunk];
            }
        }

        if (!allocate)
        {
            return null;
        }

        // A new bitmap block is file space past the end: zeros on disk, so only the pages whose
        // bits are set later need logging.
        lock (_allocationLock)
        {
            lock (_metadataLock)
            {
                if (_bitmaps.TryGetValue(chunk, out var raced))
                {
                    return raced;
                }

                var fileOffset = ReserveSpaceLocked(VhdxFormat.SectorBitmapBlockSize);
                var created = new byte[VhdxFormat.SectorBitmapBlockSize];
                _bitmaps.Add(chunk, created);
                SetEntryLocked(index, VhdxBatEntry.Make(VhdxBatEntry.SectorBitmapPresent, fileOffset));
                return created;
            }
        }
    }
}
