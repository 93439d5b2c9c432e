using System.Runtime.CompilerServices;
using Storlane.Ceph.Rbd;
using Storlane.Storage;

namespace Storlane.Ceph.Devices;

/// <summary>
/// A LUN backed by an RBD image. Every request is one rbd_aio_* call (no thread waits); librbd's
/// cache makes the write cache volatile, so FUA writes and SYNCHRONIZE CACHE end with
/// rbd_aio_flush. UNMAP is a discard and WRITE SAME of zeros a write_zeroes, after which the blocks
/// read back as zeros (LBPRZ). COMPARE AND WRITE is compare-and-write in the OSD, atomic against
/// every gateway of the image. The size follows the image: a resize from anywhere reaches
/// <see cref="GeometryChanged"/> through librbd's header watch.
/// </summary>
public sealed class RbdBlockDevice : IResizableBlockDevice, IAllocationQuery, ICompareAndWriteDevice, IZeroingDevice, IExternallyResizedDevice
{
    private readonly RbdImage _image;
    private readonly IDisposable _watch;
    private readonly Lock _resizeLock = new();
    private readonly bool _ownsImage;

    // Replaced whole on a resize, so a reader gets the old or the new geometry with one read and no lock.
    private volatile StrongBox<BlockGeometry> _geometry;

    private RbdBlockDevice(RbdImage image, int logicalBlockSize, int physicalBlockSize, bool readOnly, bool ownsImage)
    {
        _image = image;
        _ownsImage = ownsImage;
        _geometry = new StrongBox<BlockGeometry>(GeometryOf(image, image.GetSize(), logicalBlockSize, physicalBlockSize));
        Features = BlockDeviceFeatures.Unmap | BlockDeviceFeatures.VolatileWriteCache | (readOnly ? BlockDeviceFeatures.ReadOnly : 0);
        MaxCompareAndWriteBlocks = RbdImage.MaxCompareAndWriteBytes / logicalBlockSize;
        _watch = image.WatchUpdates(RefreshSize);
    }

    public event EventHandler? GeometryChanged;

    public RbdImage Image => _image;

    /// <summary>Only BlockCount changes; readers see the old or the new size, both valid for the I/O they check.</summary>
    public BlockGeometry Geometry => _geometry.Value;

    public BlockDeviceFeatures Features { get; }

    /// <summary>librbd compares at most one 512-byte sector atomically: one block at 512 bytes, none at 4096.</summary>
    public int MaxCompareAndWriteBlocks { get; }

    /// <summary>
    /// Wraps an open image. The image size must be a whole number of logical blocks. With
    /// <paramref name="ownsImage"/> the device closes the image when disposed.
    /// </summary>
    public static RbdBlockDevice Open(RbdImage image, int logicalBlockSize = 512, int physicalBlockSize = 4096, bool readOnly = false, bool ownsImage = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new RbdBlockDevice(image, logicalBlockSize, physicalBlockSize, readOnly, ownsImage);
    }

    public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var geometry = Geometry;
        CheckRange(geometry, lba, destination.Length);
        return _image.ReadAsync(lba * geometry.LogicalBlockSize, destination);
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        var geometry = Geometry;
        CheckRange(geometry, lba, source.Length);
        var write = _image.WriteAsync(lba * geometry.LogicalBlockSize, source);

        // SBC-3 5.33: with FUA the data is on non-volatile media before the command completes;
        // librbd has no per-write FUA, so the write is followed by a flush of the image.
        return (options & WriteOptions.ForceUnitAccess) == 0 ? write : WriteThenFlushAsync(write);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _image.FlushAsync();

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        var geometry = Geometry;
        CheckBlocks(geometry, lba, blockCount);
        return blockCount == 0 ? ValueTask.CompletedTask : _image.DiscardAsync(lba * geometry.LogicalBlockSize, blockCount * geometry.LogicalBlockSize);
    }

    public ValueTask WriteZeroesAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        var geometry = Geometry;
        CheckBlocks(geometry, lba, blockCount);
        return blockCount == 0 ? ValueTask.CompletedTask : _image.WriteZeroesAsync(lba * geometry.LogicalBlockSize, blockCount * geometry.LogicalBlockSize);
    }

    public async ValueTask<long> CompareAndWriteAsync(long lba, ReadOnlyMemory<byte> compare, ReadOnlyMemory<byte> write, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        var geometry = Geometry;
        CheckRange(geometry, lba, write.Length);
        var offset = lba * geometry.LogicalBlockSize;
        var mismatch = await _image.CompareAndWriteAsync(offset, compare, write).ConfigureAwait(false);
        if (mismatch >= 0)
        {
            return mismatch - offset;
        }

        if ((options & WriteOptions.ForceUnitAccess) != 0)
        {
            await _image.FlushAsync().ConfigureAwait(false);
        }

        return -1;
    }

    /// <summary>
    /// The run at <paramref name="lba"/> from the image's allocation (rbd_diff_iterate2, exact
    /// extents within objects): data extents are mapped, everything else deallocated and reads as zeros.
    /// </summary>
    public async ValueTask<AllocationRun> QueryAllocationAsync(long lba, long maxBlocks, CancellationToken cancellationToken = default)
    {
        var geometry = Geometry;
        CheckBlocks(geometry, lba, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocks, 1);
        var blockSize = geometry.LogicalBlockSize;
        var count = Math.Min(maxBlocks, geometry.BlockCount - lba);
        var start = lba * blockSize;
        var extents = await _image.ListExtentsAsync(start, count * blockSize, maxExtents: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (extents.Count == 0)
        {
            return new AllocationRun(lba, count, Mapped: false);
        }

        var extent = extents[0];
        if (extent.Offset > start)
        {
            // Deallocated up to the first data; a partial block counts as mapped (it holds data).
            var holeBlocks = (extent.Offset - start) / blockSize;
            if (holeBlocks > 0)
            {
                return new AllocationRun(lba, holeBlocks, Mapped: false);
            }
        }

        var endBlock = Math.Min(lba + count, (extent.End + blockSize - 1) / blockSize);
        return new AllocationRun(lba, Math.Max(1, endBlock - lba), Mapped: true);
    }

    /// <summary>Grows the image (rbd_resize); the header watch then updates every gateway's size, this one's included.</summary>
    public ValueTask GrowAsync(long newBlockCount, CancellationToken cancellationToken = default)
    {
        if ((Features & BlockDeviceFeatures.ReadOnly) != 0)
        {
            throw new InvalidOperationException($"RBD image '{_image.Spec}' is exported read-only and cannot grow");
        }

        var current = Geometry;
        if (newBlockCount <= current.BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(newBlockCount), newBlockCount, $"a LUN only grows: it has {current.BlockCount} blocks");
        }

        return new ValueTask(Task.Run(
            () =>
            {
                _image.Resize(newBlockCount * current.LogicalBlockSize);
                SetSize(_image.GetSize());
            },
            cancellationToken));
    }

    public ValueTask DisposeAsync()
    {
        _watch.Dispose();
        if (_ownsImage)
        {
            // rbd_close flushes the cache and waits for requests in flight: off the caller's thread.
            return new ValueTask(Task.Run(_image.Dispose));
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask WriteThenFlushAsync(ValueTask write)
    {
        await write.ConfigureAwait(false);
        await _image.FlushAsync().ConfigureAwait(false);
    }

    private void RefreshSize()
    {
        try
        {
            SetSize(_image.GetSize());
        }
        catch (Exception ex) when (ex is CephException or ObjectDisposedException)
        {
            // The image is closing (a notification queued before the device was disposed) or the
            // cluster is unreachable: the next notification retries. Runs on the thread pool, where
            // an escaping exception would end the process.
        }
    }

    private void SetSize(long sizeInBytes)
    {
        bool changed;
        lock (_resizeLock)
        {
            var current = _geometry.Value;
            var blocks = sizeInBytes / current.LogicalBlockSize;
            changed = blocks != current.BlockCount && blocks > 0;
            if (changed)
            {
                _geometry = new StrongBox<BlockGeometry>(new BlockGeometry(current.LogicalBlockSize, current.PhysicalBlockSize, blocks));
            }
        }

        if (changed)
        {
            GeometryChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private static BlockGeometry GeometryOf(RbdImage image, long size, int logicalBlockSize, int physicalBlockSize)
    {
        if (!BlockGeometry.IsSupportedBlockSize(logicalBlockSize) || size % logicalBlockSize != 0 || size == 0)
        {
            throw new CephException($"RBD image '{image.Spec}' is {size} bytes, not a whole number of {logicalBlockSize}-byte blocks");
        }

        return new BlockGeometry(logicalBlockSize, physicalBlockSize, size / logicalBlockSize);
    }

    private static void CheckRange(in BlockGeometry geometry, long lba, int byteLength)
    {
        if (byteLength % geometry.LogicalBlockSize != 0)
        {
            throw new ArgumentException($"buffer length {byteLength} is not a multiple of the block size {geometry.LogicalBlockSize}");
        }

        CheckBlocks(geometry, lba, byteLength / geometry.LogicalBlockSize);
    }

    private static void CheckBlocks(in BlockGeometry geometry, long lba, long blockCount)
    {
        if (lba < 0 || blockCount < 0 || lba > geometry.BlockCount - blockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(lba), $"blocks {lba}+{blockCount} lie outside a device of {geometry.BlockCount} blocks");
        }
    }
}
