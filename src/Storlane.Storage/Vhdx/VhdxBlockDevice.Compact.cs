namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>Bytes copied before their BAT entries are committed together: one log entry and two flushes per batch.</summary>
    private const long CompactBatchBytes = 256L * VhdxFormat.Mib;

    /// <summary>
    /// Gives back the space of blocks that hold nothing: fully present blocks of a dynamic or
    /// differencing disk that read all zeros become PAYLOAD_BLOCK_UNMAPPED (ZERO in a differencing
    /// disk, so the parent stays hidden), then blocks at the end of the file are copied into the
    /// lowest holes, flushed, and re-pointed through the log (the log's own flush makes the copies
    /// durable before the entry that points at them); a block's old space is reused only after that
    /// commit. Last, the log is closed (LogGuid zero, so no entry's FlushedFileOffset can call the
    /// shorter file truncated) and the file is cut after the last block. Run it with no other I/O.
    /// </summary>
    internal async Task<VhdxCompactResult> CompactCoreAsync(IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        var before = _file.Length;
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _modified = true;
        await _headers.BeginModificationAsync(userVisible: false, cancellationToken).ConfigureAwait(false);

        var released = DiskType == VhdxDiskType.Fixed ? 0 : await ReleaseZeroBlocksAsync(progress, cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        var structures = await FixedStructuresAsync(cancellationToken).ConfigureAwait(false);
        var extents = CollectExtents();
        var toMove = BytesAbove(extents, structures);
        long moved = 0;
        long movedBytes = 0;
        var buffer = new byte[Math.Min(_metadata.BlockSize, VhdxFormat.Mib)];
        while (PlanMoves(extents, structures) is { Count: > 0 } moves)
        {
            foreach (var (_, from, to, size) in moves)
            {
                await CopyAsync(from, to, size, buffer, cancellationToken).ConfigureAwait(false);
                movedBytes += size;
            }

            lock (_metadataLock)
            {
                foreach (var (index, _, to, _) in moves)
                {
                    SetEntryLocked(index, VhdxBatEntry.Make(VhdxBatEntry.State(_bat[index]), to));
                }
            }

            await FlushAsync(cancellationToken).ConfigureAwait(false);
            moved += moves.Count;
            progress?.Report((VhdxDiskMaintenance.ProgressScale / 2) + Math.Min(VhdxDiskMaintenance.ProgressScale / 2, movedBytes * (VhdxDiskMaintenance.ProgressScale / 2) / Math.Max(1, toMove)));
            extents = CollectExtents();
        }

        var end = 0L;
        foreach (var (start, length) in structures)
        {
            end = Math.Max(end, start + length);
        }

        foreach (var (_, offset, size) in extents)
        {
            end = Math.Max(end, offset + size);
        }

        if (end < _file.Length)
        {
            await TruncateAsync(end, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(VhdxDiskMaintenance.ProgressScale);
        return new VhdxCompactResult(before, _file.Length, released, moved);
    }

    /// <summary>Fully present blocks that read all zeros lose their file space; returns how many.</summary>
    private async ValueTask<long> ReleaseZeroBlocksAsync(IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(_metadata.BlockSize, VhdxFormat.Mib)];
        var released = 0L;
        for (long block = 0; block < _layout.DataBlockCount; block++)
        {
            var entry = PayloadEntry(block);
            if (VhdxBatEntry.State(entry) == (int)VhdxBlockState.FullyPresent && await IsAllZerosAsync(VhdxBatEntry.FileOffset(entry), buffer, cancellationToken).ConfigureAwait(false))
            {
                var state = _parent is null ? VhdxBlockState.Unmapped : VhdxBlockState.Zero;
                lock (_metadataLock)
                {
                    SetEntryLocked(_layout.PayloadIndex(block), VhdxBatEntry.Make((int)state, 0));
                }

                released++;
            }

            progress?.Report((block + 1) * (VhdxDiskMaintenance.ProgressScale / 2) / _layout.DataBlockCount);
        }

        return released;
    }

    private async ValueTask<bool> IsAllZerosAsync(long fileOffset, byte[] buffer, CancellationToken cancellationToken)
    {
        for (long done = 0; done < _metadata.BlockSize; done += buffer.Length)
        {
            await _file.ReadAsync(buffer, fileOffset + done, cancellationToken).ConfigureAwait(false);
            if (buffer.AsSpan().ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What never moves: the header section, the log and every region (the BAT may sit anywhere after a resize).</summary>
    private async ValueTask<List<(long Start, long Length)>> FixedStructuresAsync(CancellationToken cancellationToken)
    {
        var (regions, _) = await ReadRegionTableAsync(cancellationToken).ConfigureAwait(false);
        var structures = new List<(long Start, long Length)>
        {
            (0, VhdxFormat.HeaderSectionSize),
            ((long)_headers.Current.LogOffset, _headers.Current.LogLength),
        };
        foreach (var region in regions.Regions)
        {
            structures.Add((region.FileOffset, region.Length));
        }

        return structures;
    }

    /// <summary>Every block with file space (payload and sector bitmap), by file offset.</summary>
    private List<(long Index, long Offset, long Size)> CollectExtents()
    {
        var extents = new List<(long Index, long Offset, long Size)>();
        for (long index = 0; index < _layout.TotalEntries; index++)
        {
            var (offset, size) = AllocatedExtent(index);
            if (size != 0)
            {
                extents.Add((index, offset, size));
            }
        }

        extents.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return extents;
    }

    /// <summary>Bytes of blocks that lie past where a packed file would end: about what compaction has to move (for progress).</summary>
    private static long BytesAbove(List<(long Index, long Offset, long Size)> extents, List<(long Start, long Length)> structures)
    {
        var packedEnd = 0L;
        foreach (var (_, length) in structures)
        {
            packedEnd += length;
        }

        foreach (var extent in extents)
        {
            packedEnd += extent.Size;
        }

        var above = 0L;
        foreach (var extent in extents)
        {
            above += extent.Offset + extent.Size > packedEnd ? extent.Size : 0;
        }

        return above;
    }

    /// <summary>
    /// Highest blocks first, each into the lowest hole that holds it and lies wholly below it (a
    /// copy never overlaps its source). Holes are space that neither a fixed structure nor a
    /// committed entry uses; the space a move frees becomes a hole only after its commit, in the
    /// next round.
    /// </summary>
    private static List<(long Index, long From, long To, long Size)> PlanMoves(List<(long Index, long Offset, long Size)> extents, List<(long Start, long Length)> structures)
    {
        var used = new List<(long Start, long End)>(extents.Count + structures.Count);
        foreach (var (start, length) in structures)
        {
            used.Add((start, start + length));
        }

        foreach (var (_, offset, size) in extents)
        {
            used.Add((offset, offset + size));
        }

        used.Sort((a, b) => a.Start.CompareTo(b.Start));
        var holes = new List<(long Start, long End)>();
        var cursor = 0L;
        foreach (var (start, end) in used)
        {
            if (start > cursor)
            {
                holes.Add((cursor, start));
            }

            cursor = Math.Max(cursor, end);
        }

        var moves = new List<(long Index, long From, long To, long Size)>();
        var planned = 0L;
        for (var i = extents.Count - 1; i >= 0 && planned < CompactBatchBytes; i--)
        {
            var (index, offset, size) = extents[i];
            for (var h = 0; h < holes.Count; h++)
            {
                var (start, end) = holes[h];
                if (start + size > offset)
                {
                    break;
                }

                if (end - start >= size)
                {
                    moves.Add((index, offset, start, size));
                    holes[h] = (start + size, end);
                    planned += size;
                    break;
                }
            }
        }

        return moves;
    }

    /// <summary>Closes the log (flush, LogGuid zero) and only then shortens the file; the next commit opens a new log.</summary>
    private async ValueTask TruncateAsync(long end, CancellationToken cancellationToken)
    {
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _journal.CloseAsync(cancellationToken).ConfigureAwait(false);
            _file.SetLength(end);
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            lock (_allocationLock)
            {
                _fileEnd = end;
            }
        }
        finally
        {
            _commitGate.Release();
        }
    }
}

/// <summary>What a compaction did: file size before and after, all-zero blocks released, blocks moved.</summary>
public sealed record VhdxCompactResult(long FileSizeBefore, long FileSizeAfter, long ZeroBlocksReleased, long BlocksMoved);
