using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    private static readonly long[] RegionTableOffsets = [VhdxFormat.RegionTable1Offset, VhdxFormat.RegionTable2Offset];

    /// <summary>
    /// Changes the virtual size. The new Virtual Disk Size item and every BAT entry that appears or
    /// disappears go through the log, the size item in the last entry, so a crash leaves the old or
    /// the new disk. When the BAT region must grow over payload blocks that follow it, those blocks
    /// are first copied past the end of the file and re-pointed through the log; then the region
    /// tables take the longer BAT (one copy, flush, the other copy: a longer BAT region is valid for
    /// the old size too); when the log or another region follows the BAT, the BAT moves to the end
    /// of the file instead (<see cref="RelocateBatAsync"/>). A fixed disk's new blocks are reserved, with progress, before the BAT
    /// entries that point at them are logged. After this call the device must be disposed: its
    /// in-memory geometry is the old one.
    /// </summary>
    /// <param name="progress">A fixed disk's new space reserved so far, in thousandths.</param>
    internal async Task<VhdxResizeResult> ResizeCoreAsync(long newSize, bool allowShrink, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ThrowIfReadOnly();
        var oldSize = _metadata.VirtualDiskSize;

        // "VirtualDiskSize ... MUST be a multiple of the LogicalSectorSize ... and MUST be at most 64 TB" (2.6.2.2).
        if (newSize <= 0 || newSize % _metadata.LogicalSectorSize != 0 || newSize > VhdxFormat.MaxVirtualDiskSize)
        {
            throw new ArgumentOutOfRangeException(nameof(newSize), $"{newSize} is not a positive multiple of the {_metadata.LogicalSectorSize}-byte logical sector up to 64 TiB");
        }

        if (newSize == oldSize)
        {
            return new VhdxResizeResult(oldSize, newSize, 0, 0);
        }

        var newLayout = new VhdxBatLayout(newSize, _metadata.BlockSize, _metadata.LogicalSectorSize, _metadata.HasParent);
        if (newSize < oldSize && !allowShrink && await FindDataPastAsync(newSize, cancellationToken).ConfigureAwait(false) is { } kept)
        {
            throw new VhdxShrinkRefusedException($"{Path}: block {kept} (virtual bytes {kept * (long)_metadata.BlockSize} to {Math.Min(oldSize, (kept + 1) * (long)_metadata.BlockSize)}) holds data past the new end {newSize}; nothing was changed");
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await BeginUserModificationAsync(cancellationToken).ConfigureAwait(false);
        var (regions, _) = await ReadRegionTableAsync(cancellationToken).ConfigureAwait(false);
        var batRegion = regions.Find(VhdxKnownIds.BatRegion)!.Value;
        var metadataRegion = regions.Find(VhdxKnownIds.MetadataRegion)!.Value;
        long moved = 0;
        if (newLayout.TotalEntries * sizeof(ulong) > batRegion.Length)
        {
            if (newLayout.RegionLength > uint.MaxValue)
            {
                throw new InvalidDataException($"{Path}: a BAT of {newLayout.RegionLength} bytes does not fit the region table's 32-bit length");
            }

            // In place when only payload blocks follow the BAT (Storlane's layout); qemu puts the
            // metadata region right after it, so there the BAT moves to the end of the file.
            moved = !FixedStructureAfter(regions, batRegion, newLayout.RegionLength)
                ? await GrowBatRegionAsync(regions, batRegion, newLayout.RegionLength, cancellationToken).ConfigureAwait(false)
                : await RelocateBatAsync(regions, batRegion, newLayout.RegionLength, cancellationToken).ConfigureAwait(false);
        }

        if (newSize > oldSize)
        {
            // Past the old end, so invisible to the old disk: a crash here changes nothing it shows.
            await ZeroTailPastAsync(oldSize, cancellationToken).ConfigureAwait(false);
        }

        var newBlocksOffset = 0L;
        var grownBlocks = Math.Max(0, newLayout.DataBlockCount - _layout.DataBlockCount);
        if (DiskType == VhdxDiskType.Fixed && grownBlocks > 0)
        {
            // Reserved (and flushed by the commit) before any entry points at it.
            var bytes = grownBlocks * _metadata.BlockSize;
            lock (_allocationLock)
            {
                newBlocksOffset = ReserveSpaceLocked(bytes);
            }

            await _file.AllocateAsync(newBlocksOffset, bytes, progress is null ? null : new VhdxScaledProgress(progress, bytes), cancellationToken).ConfigureAwait(false);
        }

        var pages = BuildResizedBatPages(newLayout, newBlocksOffset);
        pages.Add(await BuildSizePageAsync(metadataRegion, newSize, cancellationToken).ConfigureAwait(false));
        await CommitPagesAsync(pages, cancellationToken).ConfigureAwait(false);
        var dropped = Math.Max(0, CountAllocated(newLayout.DataBlockCount, _layout.DataBlockCount));
        return new VhdxResizeResult(oldSize, newSize, moved, dropped);
    }

    /// <summary>The first block that holds non-zero data past <paramref name="newEnd"/>, or null.</summary>
    private async ValueTask<long?> FindDataPastAsync(long newEnd, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(_metadata.BlockSize, VhdxFormat.Mib)];
        var oldEnd = _metadata.VirtualDiskSize;
        for (var block = newEnd >> _blockShift; block < _layout.DataBlockCount; block++)
        {
            if (!VhdxBatEntry.IsAllocated(VhdxBatEntry.State(PayloadEntry(block))))
            {
                continue;
            }

            var from = Math.Max(newEnd, block << _blockShift);
            var to = Math.Min(oldEnd, (block + 1) << _blockShift);
            for (var offset = from; offset < to; offset += buffer.Length)
            {
                var length = (int)Math.Min(buffer.Length, to - offset);
                await ReadAsync(offset >> _sectorShift, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                if (buffer.AsSpan(0, length).ContainsAnyExcept((byte)0))
                {
                    return block;
                }
            }
        }

        return null;
    }

    /// <summary>Zeros the part of the last block past <paramref name="newEnd"/> (the old end when growing): what a shrink left there must not reappear.</summary>
    private async ValueTask ZeroTailPastAsync(long newEnd, CancellationToken cancellationToken)
    {
        var within = (int)(newEnd & (_metadata.BlockSize - 1));
        var entry = PayloadEntry(newEnd >> _blockShift);
        if (within == 0 || !VhdxBatEntry.IsAllocated(VhdxBatEntry.State(entry)))
        {
            return;
        }

        for (var offset = within; offset < _metadata.BlockSize; offset += ZeroBuffer.Length)
        {
            var length = Math.Min(ZeroBuffer.Length, _metadata.BlockSize - offset);
            await _file.WriteAsync(ZeroBuffer.AsMemory(0, length), VhdxBatEntry.FileOffset(entry) + offset, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the log or another region lies where a BAT grown in place to <paramref name="newLength"/> would reach.</summary>
    private bool FixedStructureAfter(VhdxRegionTable regions, VhdxRegion batRegion, long newLength)
    {
        var from = batRegion.End;
        var to = batRegion.FileOffset + newLength;
        var logStart = (long)_headers.Current.LogOffset;
        if (logStart < to && from < logStart + _headers.Current.LogLength)
        {
            return true;
        }

        foreach (var region in regions.Regions)
        {
            if (region.Id != VhdxKnownIds.BatRegion && region.FileOffset < to && from < region.End)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Makes room for a BAT region of <paramref name="newLength"/> bytes at its present offset:
    /// blocks in the way move past the end of the file (copied, then re-pointed through the log),
    /// and then both region tables take the new length. Returns the number of blocks moved.
    /// </summary>
    private async ValueTask<long> GrowBatRegionAsync(VhdxRegionTable regions, VhdxRegion batRegion, long newLength, CancellationToken cancellationToken)
    {
        var from = batRegion.End;
        var to = batRegion.FileOffset + newLength;

        // New blocks go past the grown BAT, never into it.
        lock (_allocationLock)
        {
            if (_fileEnd < to)
            {
                _fileEnd = to;
                _file.SetLength(Math.Max(_file.Length, to));
            }
        }

        var moved = 0L;
        var buffer = new byte[Math.Min(_metadata.BlockSize, VhdxFormat.Mib)];
        for (long index = 0; index < _layout.TotalEntries; index++)
        {
            var (offset, size) = AllocatedExtent(index);
            if (size == 0 || offset >= to || offset + size <= from)
            {
                continue;
            }

            long target;
            lock (_allocationLock)
            {
                target = ReserveSpaceLocked(size);
            }

            await CopyAsync(offset, target, size, buffer, cancellationToken).ConfigureAwait(false);
            lock (_metadataLock)
            {
                SetEntryLocked(index, VhdxBatEntry.Make(VhdxBatEntry.State(_bat[index]), target));
            }

            moved++;
        }

        // The copies are flushed before the entries that point at them are logged.
        await FlushAsync(cancellationToken).ConfigureAwait(false);

        var grown = new List<VhdxRegion>(regions.Regions.Count);
        foreach (var region in regions.Regions)
        {
            grown.Add(region.Id == VhdxKnownIds.BatRegion ? region with { Length = (uint)newLength } : region);
        }

        await WriteRegionTablesAsync(new VhdxRegionTable(grown), cancellationToken).ConfigureAwait(false);
        return moved;
    }

    /// <summary>
    /// Moves the BAT to fresh space at the end of the file, <paramref name="newLength"/> long: the
    /// current entries are written and flushed there first, then the region tables point at it (one
    /// copy, flush, the other). Until table 1 is durable the old BAT is the one in use, and both
    /// hold the same entries. Returns 0: no payload block moves.
    /// </summary>
    private async ValueTask<long> RelocateBatAsync(VhdxRegionTable regions, VhdxRegion batRegion, long newLength, CancellationToken cancellationToken)
    {
        long target;
        lock (_allocationLock)
        {
            target = ReserveSpaceLocked(newLength);
            ExtendFileLocked();
        }

        var entries = MemoryMarshal.AsBytes(_bat.AsSpan()).Length;
        var buffer = new byte[Math.Min(entries, VhdxFormat.Mib)];
        for (var done = 0; done < entries; done += buffer.Length)
        {
            var length = Math.Min(buffer.Length, entries - done);
            MemoryMarshal.AsBytes(_bat.AsSpan()).Slice(done, length).CopyTo(buffer);
            await _file.WriteAsync(buffer.AsMemory(0, length), target + done, cancellationToken).ConfigureAwait(false);
        }

        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        var moved = new List<VhdxRegion>(regions.Regions.Count);
        foreach (var region in regions.Regions)
        {
            moved.Add(region.Id == VhdxKnownIds.BatRegion ? region with { FileOffset = target, Length = (uint)newLength } : region);
        }

        await WriteRegionTablesAsync(new VhdxRegionTable(moved), cancellationToken).ConfigureAwait(false);
        _batOffset = target;
        return 0;
    }

    /// <summary>File offset and size of BAT entry <paramref name="index"/>'s block when it has file space (size 0 otherwise).</summary>
    private (long Offset, long Size) AllocatedExtent(long index)
    {
        var entry = Volatile.Read(ref _bat[index]);
        var state = VhdxBatEntry.State(entry);
        if (_layout.IsSectorBitmapIndex(index))
        {
            return state == VhdxBatEntry.SectorBitmapPresent ? (VhdxBatEntry.FileOffset(entry), VhdxFormat.SectorBitmapBlockSize) : (0, 0);
        }

        return VhdxBatEntry.IsAllocated(state) ? (VhdxBatEntry.FileOffset(entry), _metadata.BlockSize) : (0, 0);
    }

    private async ValueTask CopyAsync(long from, long to, long size, byte[] buffer, CancellationToken cancellationToken)
    {
        for (long done = 0; done < size; done += buffer.Length)
        {
            var length = (int)Math.Min(buffer.Length, size - done);
            await _file.ReadAsync(buffer.AsMemory(0, length), from + done, cancellationToken).ConfigureAwait(false);
            await _file.WriteAsync(buffer.AsMemory(0, length), to + done, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The BAT pages from the first entry that changes to the last: entries a grown disk gains
    /// (not present, or a fixed disk's new fully present blocks) and entries a shrunk disk loses
    /// (zeroed, so a later grow starts clean; in a differencing disk these include payload entries
    /// of the last chunk, which stays in the BAT).
    /// </summary>
    private List<VhdxPageUpdate> BuildResizedBatPages(VhdxBatLayout newLayout, long newBlocksOffset)
    {
        var oldTotal = _layout.TotalEntries;
        var newTotal = newLayout.TotalEntries;
        var keptBlocks = Math.Min(_layout.DataBlockCount, newLayout.DataBlockCount);
        var firstIndex = Math.Min(Math.Min(oldTotal, newTotal), _layout.PayloadIndex(keptBlocks));
        var firstPage = firstIndex / BatEntriesPerPage;
        var endPage = (Math.Max(oldTotal, newTotal) + BatEntriesPerPage - 1) / BatEntriesPerPage;
        var pages = new List<VhdxPageUpdate>((int)(endPage - firstPage) + 1);
        for (var page = firstPage; page < endPage; page++)
        {
            var entries = new ulong[BatEntriesPerPage];
            for (var i = 0; i < BatEntriesPerPage; i++)
            {
                entries[i] = ResizedEntry((page * BatEntriesPerPage) + i, newLayout, newBlocksOffset);
            }

            pages.Add(new VhdxPageUpdate(_batOffset + (page * VhdxFormat.LogSectorSize), MemoryMarshal.AsBytes(entries.AsSpan()).ToArray()));
        }

        return pages;
    }

    private ulong ResizedEntry(long index, VhdxBatLayout newLayout, long newBlocksOffset)
    {
        if (index >= newLayout.TotalEntries)
        {
            return 0;
        }

        if (newLayout.IsSectorBitmapIndex(index))
        {
            return index < _layout.TotalEntries ? _bat[index] : 0;
        }

        var block = index - (index / (newLayout.ChunkRatio + 1));
        if (block >= newLayout.DataBlockCount)
        {
            return 0;
        }

        if (block < _layout.DataBlockCount)
        {
            return _bat[index];
        }

        return newBlocksOffset == 0 ? 0 : VhdxBatEntry.Make((int)VhdxBlockState.FullyPresent, newBlocksOffset + ((block - _layout.DataBlockCount) * _metadata.BlockSize));
    }

    /// <summary>The metadata page holding the Virtual Disk Size item, with the new size in it.</summary>
    private async ValueTask<VhdxPageUpdate> BuildSizePageAsync(VhdxRegion metadataRegion, long newSize, CancellationToken cancellationToken)
    {
        var table = new byte[VhdxFormat.MetadataTableSize];
        await _file.ReadAsync(table, metadataRegion.FileOffset, cancellationToken).ConfigureAwait(false);
        var (itemOffset, _) = VhdxMetadata.FindItem(table, VhdxKnownIds.VirtualDiskSize)
            ?? throw new InvalidDataException($"{Path}: the metadata table has no Virtual Disk Size item");
        var pageOffset = metadataRegion.FileOffset + (itemOffset & ~(VhdxFormat.LogSectorSize - 1));
        var page = new byte[VhdxFormat.LogSectorSize];
        await _file.ReadAsync(page, pageOffset, cancellationToken).ConfigureAwait(false);

        // An 8-byte item never straddles a page: items are 8-byte aligned in every writer we know; refuse otherwise.
        var within = itemOffset & (VhdxFormat.LogSectorSize - 1);
        if (within + sizeof(ulong) > VhdxFormat.LogSectorSize)
        {
            throw new InvalidDataException($"{Path}: the Virtual Disk Size item at metadata offset {itemOffset} straddles a 4 KB page");
        }

        BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(within), (ulong)newSize);
        return new VhdxPageUpdate(pageOffset, page);
    }

    /// <summary>Logs <paramref name="pages"/> in order (the journal splits them into entries only when one entry cannot hold them all).</summary>
    private async ValueTask CommitPagesAsync(List<VhdxPageUpdate> pages, CancellationToken cancellationToken)
    {
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long fileEnd;
            lock (_allocationLock)
            {
                fileEnd = ExtendFileLocked();
            }

            await _journal.CommitAsync(pages, fileEnd, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    private long CountAllocated(long fromBlock, long toBlock)
    {
        var count = 0L;
        for (var block = fromBlock; block < toBlock; block++)
        {
            if (VhdxBatEntry.IsAllocated(VhdxBatEntry.State(PayloadEntry(block))))
            {
                count++;
            }
        }

        return count;
    }

    private async ValueTask<(VhdxRegionTable Table, long Offset)> ReadRegionTableAsync(CancellationToken cancellationToken)
    {
        var bytes = new byte[VhdxFormat.RegionTableSize];
        foreach (var offset in RegionTableOffsets)
        {
            await _file.ReadAsync(bytes, offset, cancellationToken).ConfigureAwait(false);
            if (VhdxRegionTable.TryParse(bytes, out _) is { } table)
            {
                return (table, offset);
            }
        }

        throw new InvalidDataException($"{Path}: both region tables are invalid");
    }

    /// <summary>Region table 1, flush, region table 2, flush: a torn copy fails its CRC-32C and the other one is used.</summary>
    private async ValueTask WriteRegionTablesAsync(VhdxRegionTable table, CancellationToken cancellationToken)
    {
        var bytes = new byte[VhdxFormat.RegionTableSize];
        table.WriteTo(bytes);
        await _file.WriteAsync(bytes, VhdxFormat.RegionTable1Offset, cancellationToken).ConfigureAwait(false);
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _file.WriteAsync(bytes, VhdxFormat.RegionTable2Offset, cancellationToken).ConfigureAwait(false);
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What a resize did: sizes, payload blocks moved to make room for a longer BAT, allocated blocks dropped by a shrink.</summary>
public sealed record VhdxResizeResult(long OldSize, long NewSize, long BlocksMoved, long BlocksDropped);

/// <summary>A shrink that would drop data past the new end and was not allowed to.</summary>
public sealed class VhdxShrinkRefusedException(string message) : InvalidOperationException(message);
