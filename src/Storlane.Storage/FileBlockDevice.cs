using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage;

/// <summary>
/// A device backed by a sparse file read and written with <see cref="RandomAccess"/> (positional
/// I/O, no shared file position, safe for concurrent commands); what the page cache can serve at
/// once is read or written on the caller's thread (<see cref="CachedFileIo"/>). Completed writes sit in the page
/// cache until a flush, so the device reports a volatile write cache; a FUA write is durable by
/// itself (pwritev2 with RWF_DSYNC on Linux, else write then fsync) and SYNCHRONIZE CACHE calls
/// fsync. UNMAP punches holes where the file system can, and
/// <see cref="IAllocationQuery"/> reports holes as deallocated (SEEK_DATA / SEEK_HOLE on Linux;
/// everything mapped elsewhere).
/// </summary>
public sealed class FileBlockDevice : IResizableBlockDevice, IAllocationQuery
{
    private readonly SafeFileHandle _handle;
    private readonly Lock _growLock = new();
    private BlockGeometry _geometry;
    private long _dsyncWrites;
    private bool _dsyncUnsupported;
    private bool _noWaitReadUnsupported;
    private bool _noWaitWriteUnsupported;

    private FileBlockDevice(SafeFileHandle handle, string path, BlockGeometry geometry, bool readOnly)
    {
        _handle = handle;
        Path = path;
        _geometry = geometry;
        Features = BlockDeviceFeatures.VolatileWriteCache | BlockDeviceFeatures.Unmap | (readOnly ? BlockDeviceFeatures.ReadOnly : 0);
    }

    public string Path { get; }

    /// <summary>
    /// Only BlockCount ever changes (<see cref="GrowAsync"/>), and a 64-bit field is read whole, so a
    /// reader racing a grow sees the old or the new size, both valid for the I/O it checks.
    /// </summary>
    public BlockGeometry Geometry => _geometry;

    public BlockDeviceFeatures Features { get; }

    /// <summary>FUA writes made durable by pwritev2(RWF_DSYNC) rather than by a flush of the whole file.</summary>
    internal long DsyncWrites => Interlocked.Read(ref _dsyncWrites);

    /// <summary>Set once pwritev2 said RWF_DSYNC cannot be had here; FUA writes then write and flush.</summary>
    internal bool DsyncUnsupported
    {
        get => Volatile.Read(ref _dsyncUnsupported);
        set => Volatile.Write(ref _dsyncUnsupported, value);
    }

    /// <summary>
    /// Opens the file, creating it sparse at the geometry's size when missing. An existing file
    /// must have exactly that size: growing or shrinking a LUN silently would lose data or lie.
    /// </summary>
    public static FileBlockDevice OpenOrCreate(string path, BlockGeometry geometry, bool readOnly = false)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var exists = File.Exists(fullPath);
        if (!exists)
        {
            if (readOnly)
            {
                throw new FileNotFoundException($"read-only LUN file '{fullPath}' does not exist", fullPath);
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        }

        var handle = File.OpenHandle(
            fullPath,
            readOnly ? FileMode.Open : FileMode.OpenOrCreate,
            readOnly ? FileAccess.Read : FileAccess.ReadWrite,
            FileShare.Read,
            FileOptions.Asynchronous);
        try
        {
            var length = RandomAccess.GetLength(handle);
            if (!exists || length == 0)
            {
                // SetLength on a new file leaves a hole: no blocks are allocated until written.
                RandomAccess.SetLength(handle, geometry.SizeInBytes);
            }
            else if (length != geometry.SizeInBytes)
            {
                throw new InvalidDataException($"LUN file '{fullPath}' is {length} bytes but the LUN is configured as {geometry.SizeInBytes} bytes");
            }

            return new FileBlockDevice(handle, fullPath, geometry, readOnly);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads what the page cache holds on the calling thread (<see cref="CachedFileIo"/>): a cached
    /// read neither hops to the thread pool nor allocates. The rest goes through RandomAccess, which
    /// runs a blocking pread on the thread pool on Unix.
    /// </summary>
    public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckRange(Geometry, lba, destination.Length);
        var offset = lba * Geometry.LogicalBlockSize;
        if (!NoWaitReadUnsupported)
        {
            var cached = CachedFileIo.TryRead(_handle, destination.Span, offset);
            if (cached == destination.Length)
            {
                return ValueTask.CompletedTask;
            }

            NoWaitReadUnsupported = cached < 0;
            if (cached > 0)
            {
                destination = destination[cached..];
                offset += cached;
            }
        }

        return ReadFromDiskAsync(destination, offset, cancellationToken);
    }

    /// <summary>Set once preadv2 said RWF_NOWAIT cannot be had here: every read then goes to the thread pool.</summary>
    internal bool NoWaitReadUnsupported
    {
        get => Volatile.Read(ref _noWaitReadUnsupported);
        set => Volatile.Write(ref _noWaitReadUnsupported, value);
    }

    /// <summary>Set once pwritev2 said RWF_NOWAIT cannot be had for writes here.</summary>
    internal bool NoWaitWriteUnsupported
    {
        get => Volatile.Read(ref _noWaitWriteUnsupported);
        set => Volatile.Write(ref _noWaitWriteUnsupported, value);
    }

    // Pooled state machine: a read that waits for the disk allocates nothing once warm.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadFromDiskAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            var read = await RandomAccess.ReadAsync(_handle, destination, offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The file was truncated underneath us; what lies past its end reads as zeros.
                destination.Span.Clear();
                return;
            }

            destination = destination[read..];
            offset += read;
        }
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckRange(Geometry, lba, source.Length);
        var offset = lba * Geometry.LogicalBlockSize;

        if ((options & WriteOptions.ForceUnitAccess) != 0)
        {
            return WriteForcedAsync(source, offset, cancellationToken);
        }

        // A write the page cache takes without waiting (no writeback throttling, no block
        // allocation that must read metadata) completes here, as a cached read does.
        if (!NoWaitWriteUnsupported)
        {
            var cached = CachedFileIo.TryWrite(_handle, source.Span, offset);
            if (cached == source.Length)
            {
                return ValueTask.CompletedTask;
            }

            NoWaitWriteUnsupported = cached < 0;
            if (cached > 0)
            {
                source = source[cached..];
                offset += cached;
            }
        }

        // RandomAccess writes the whole buffer (it loops over short writes itself): no state machine of ours.
        return RandomAccess.WriteAsync(_handle, source, offset, cancellationToken);
    }

    /// <summary>
    /// SBC-3 5.33 WRITE(10) (and 5.32-5.35 alike): with FUA set to one the device server shall
    /// write the logical blocks to non-volatile cache or the medium before completing the command.
    /// RWF_DSYNC makes this one write durable without an fsync of the whole file; like RandomAccess's
    /// own writes on Unix, the blocking call runs on the thread pool. Its own method: the lambda's
    /// closure would otherwise be allocated on entry to every write, FUA or not.
    /// </summary>
    private async ValueTask WriteForcedAsync(ReadOnlyMemory<byte> source, long offset, CancellationToken cancellationToken)
    {
        if (!DsyncUnsupported && await Task.Run(() => TryWriteDsync(source, offset), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await RandomAccess.WriteAsync(_handle, source, offset, cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool TryWriteDsync(ReadOnlyMemory<byte> source, long offset)
    {
        if (DsyncWrite.TryWrite(_handle, source.Span, offset))
        {
            Interlocked.Increment(ref _dsyncWrites);
            return true;
        }

        // The kernel or file system will not grow RWF_DSYNC while the file is open: ask once.
        DsyncUnsupported = true;
        return false;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        // fsync blocks; keep it off the connection's thread.
        return new ValueTask(Task.Run(() => RandomAccess.FlushToDisk(_handle), cancellationToken));
    }

    public async ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckBlocks(Geometry, lba, blockCount);
        var offset = lba * Geometry.LogicalBlockSize;
        var length = blockCount * Geometry.LogicalBlockSize;
        if (length == 0 || FileSpace.TryPunchHole(_handle, offset, length))
        {
            return;
        }

        // No hole punching here: write zeros so the LBPRZ promise still holds.
        var zeros = new byte[Math.Min(length, 1 << 20)];
        while (length > 0)
        {
            var chunk = (int)Math.Min(length, zeros.Length);
            await RandomAccess.WriteAsync(_handle, zeros.AsMemory(0, chunk), offset, cancellationToken).ConfigureAwait(false);
            offset += chunk;
            length -= chunk;
        }
    }

    /// <summary>Holes of the sparse file are deallocated; data extents (and anything unknown) are mapped.</summary>
    public ValueTask<AllocationRun> QueryAllocationAsync(long lba, long maxBlocks, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckBlocks(Geometry, lba, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocks, 1);

        // Two lseek calls on metadata the kernel caches: cheap enough to answer inline.
        return new ValueTask<AllocationRun>(FileAllocation.Query(_handle, Geometry.LogicalBlockSize, Geometry.BlockCount, lba, maxBlocks));
    }

    /// <summary>Extends the file sparsely: the new blocks are a hole until written.</summary>
    public ValueTask GrowAsync(long newBlockCount, CancellationToken cancellationToken = default)
    {
        if ((Features & BlockDeviceFeatures.ReadOnly) != 0)
        {
            throw new InvalidOperationException($"LUN file '{Path}' is read-only and cannot grow");
        }

        lock (_growLock)
        {
            var current = _geometry;
            if (newBlockCount <= current.BlockCount)
            {
                throw new ArgumentOutOfRangeException(nameof(newBlockCount), newBlockCount, $"a LUN only grows: it has {current.BlockCount} blocks");
            }

            var grown = new BlockGeometry(current.LogicalBlockSize, current.PhysicalBlockSize, newBlockCount);
            RandomAccess.SetLength(_handle, grown.SizeInBytes);
            _geometry = grown;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
