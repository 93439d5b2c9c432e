using System.Runtime.CompilerServices;

namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckRange(Geometry, lba, source.Length);
        ThrowIfReadOnly();
        await BeginUserModificationAsync(cancellationToken).ConfigureAwait(false);
        var offset = lba << _sectorShift;
        while (!source.IsEmpty)
        {
            var within = (int)(offset & (_metadata.BlockSize - 1));
            var length = Math.Min(source.Length, _metadata.BlockSize - within);
            await WriteInBlockAsync(offset >> _blockShift, within, source[..length], cancellationToken).ConfigureAwait(false);
            source = source[length..];
            offset += length;
        }

        if ((options & WriteOptions.ForceUnitAccess) != 0)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask BeginUserModificationAsync(CancellationToken cancellationToken)
    {
        _modified = true;
        return _headers.BeginModificationAsync(userVisible: true, cancellationToken);
    }

    /// <summary>Writes inside one payload block, allocating it first when it has no file space.</summary>
    private async ValueTask WriteInBlockAsync(long block, int within, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entry = PayloadEntry(block);
            switch ((VhdxBlockState)VhdxBatEntry.State(entry))
            {
                case VhdxBlockState.FullyPresent:
                    await _file.WriteAsync(data, VhdxBatEntry.FileOffset(entry) + within, cancellationToken).ConfigureAwait(false);
                    return;
                case VhdxBlockState.PartiallyPresent:
                    await _file.WriteAsync(data, VhdxBatEntry.FileOffset(entry) + within, cancellationToken).ConfigureAwait(false);
                    await MarkSectorsPresentAsync(block, within, data.Length, cancellationToken).ConfigureAwait(false);
                    return;
                default:
                    if (await TryAllocateAndWriteAsync(block, within, data, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    // Someone else allocated the block meanwhile: write into it.
                    break;
            }
        }
    }

    /// <summary>
    /// Gives the block fresh file space past the end and writes the data there. In a differencing
    /// disk only after the data write completes does the BAT entry point at it (until then the block
    /// must still show the parent); the entry reaches the file through the log at the next flush,
    /// after that flush has made the data durable. Returns false when another writer owns or
    /// finished the allocation.
    /// </summary>
    private async ValueTask<bool> TryAllocateAndWriteAsync(long block, int within, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_parent is null)
        {
            return await TryAllocatePublishedAndWriteAsync(block, within, data, cancellationToken).ConfigureAwait(false);
        }

        Task? other;
        TaskCompletionSource? mine = null;
        long fileOffset = 0;
        int previousState;
        lock (_allocationLock)
        {
            previousState = VhdxBatEntry.State(PayloadEntry(block));
            if (VhdxBatEntry.IsAllocated(previousState))
            {
                return false;
            }

            if (!_pendingAllocations.TryGetValue(block, out other))
            {
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pendingAllocations.Add(block, mine.Task);
                fileOffset = ReserveSpaceLocked(_metadata.BlockSize);
            }
        }

        if (other is not null)
        {
            await other.ConfigureAwait(false);
            return false;
        }

        try
        {
            // In a differencing disk a block that was not present still shows the parent in the
            // sectors this write leaves alone: those stay marked absent in the sector bitmap.
            var partial = _parent is not null && previousState == (int)VhdxBlockState.NotPresent && data.Length != _metadata.BlockSize;
            var bitmap = partial ? await GetBitmapAsync(block / _layout.ChunkRatio, allocate: true, cancellationToken).ConfigureAwait(false) : null;
            await _file.WriteAsync(data, fileOffset + within, cancellationToken).ConfigureAwait(false);
            lock (_metadataLock)
            {
                if (bitmap is not null)
                {
                    var blockBit = BitInChunk(block << _blockShift);
                    MarkBitsLocked(block / _layout.ChunkRatio, bitmap, blockBit, _metadata.BlockSize >> _sectorShift, false);
                    MarkBitsLocked(block / _layout.ChunkRatio, bitmap, blockBit + (within >> _sectorShift), data.Length >> _sectorShift, true);
                }

                var state = bitmap is null ? VhdxBlockState.FullyPresent : VhdxBlockState.PartiallyPresent;
                SetEntryLocked(_layout.PayloadIndex(block), VhdxBatEntry.Make((int)state, fileOffset));
            }
        }
        finally
        {
            lock (_allocationLock)
            {
                _pendingAllocations.Remove(block);
            }

            mine!.SetResult();
        }

        return true;
    }

    /// <summary>
    /// A block of a disk without a parent reads zeros until written, and so does fresh file space:
    /// the entry can point at the new space before the data is written, so the queue's other writes
    /// to the block go straight in instead of waiting for this one (sequential writes at queue depth
    /// 16 stalled at every block boundary). The log is still safe: a flush logs the entry after it
    /// has made every write completed before it durable, and a write still in flight was not
    /// acknowledged, so its block may read zeros after a crash, as it did before.
    /// </summary>
    private async ValueTask<bool> TryAllocatePublishedAndWriteAsync(long block, int within, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        long fileOffset;
        lock (_allocationLock)
        {
            if (VhdxBatEntry.IsAllocated(VhdxBatEntry.State(PayloadEntry(block))))
            {
                return false;
            }

            fileOffset = ReserveSpaceLocked(_metadata.BlockSize);
            lock (_metadataLock)
            {
                SetEntryLocked(_layout.PayloadIndex(block), VhdxBatEntry.Make((int)VhdxBlockState.FullyPresent, fileOffset));
            }
        }

        await _file.WriteAsync(data, fileOffset + within, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async ValueTask MarkSectorsPresentAsync(long block, int within, int length, CancellationToken cancellationToken)
    {
        var chunk = block / _layout.ChunkRatio;
        var bitmap = await GetBitmapAsync(chunk, allocate: false, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{Path}: block {block} is partially present but its sector bitmap block is not (MS-VHDX 2.5.1.2)");
        var bit = BitInChunk((block << _blockShift) + within);
        var count = length >> _sectorShift;
        if (VhdxSectorBitmap.AllSet(bitmap, bit, count))
        {
            return;
        }

        lock (_metadataLock)
        {
            MarkBitsLocked(chunk, bitmap, bit, count, true);
        }
    }

    private void MarkBitsLocked(long chunk, byte[] bitmap, long bit, long count, bool value)
    {
        var (firstPage, lastPage) = VhdxSectorBitmap.SetRange(bitmap, bit, count, value);
        for (var page = firstPage; page <= lastPage; page++)
        {
            _dirtyBitmapPages.Add((chunk, page));
        }
    }

    /// <summary>
    /// Takes <paramref name="size"/> bytes at the end of the file. Caller holds <see cref="_allocationLock"/>.
    /// No system call here: space past the end reads as zeros anyway, and the file is extended
    /// over every reservation once per commit (<see cref="ExtendFileLocked"/>), not once per block
    /// under the lock (an ftruncate waits for the file system's journal, and every allocating
    /// writer queued behind it).
    /// </summary>
    private long ReserveSpaceLocked(long size)
    {
        var offset = _fileEnd;
        _fileEnd += size;
        return offset;
    }

    /// <summary>
    /// Extends the file over every reserved block, so a BAT entry never points past its end (2.5.1:
    /// blocks lie within the file). Caller holds <see cref="_allocationLock"/>, so the length is the
    /// newest reservation's end and never cuts a write that landed in reserved space.
    /// </summary>
    private long ExtendFileLocked()
    {
        if (_file.Length < _fileEnd)
        {
            _file.SetLength(_fileEnd);
        }

        return _fileEnd;
    }
}
