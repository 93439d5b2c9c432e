using System.Runtime.CompilerServices;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// A VHDX virtual disk (MS-VHDX 1.0) as a block device: fixed, dynamic and differencing. Payload
/// I/O is positional and concurrent; block allocation takes a short lock only to reserve file space.
/// BAT and sector bitmap changes are made in memory at once (reads see them) and reach the file
/// through the log at the next flush, where all writers' changes share one log entry (group
/// commit). Completed writes are therefore volatile until FlushAsync, as the feature flag says.
/// </summary>
public sealed partial class VhdxBlockDevice : IBlockDevice, IAllocationQuery
{
    private const int BatEntriesPerPage = VhdxFormat.LogSectorSize / sizeof(ulong);

    private readonly IVhdxFile _file;
    private readonly VhdxHeaderSet _headers;
    private readonly VhdxJournal _journal;
    private readonly VhdxMetadata _metadata;
    private readonly VhdxBatLayout _layout;
    /// <summary>Where the BAT region starts; only an offline resize moves it (<see cref="RelocateBatAsync"/>).</summary>
    private long _batOffset;
    private readonly ulong[] _bat;
    private readonly IBlockDevice? _parent;
    private readonly int _blockShift;
    private readonly int _sectorShift;
    private readonly int _replayedEntries;

    /// <summary>Guards BAT and sector bitmap mutations and the dirty page sets.</summary>
    private readonly Lock _metadataLock = new();
    private readonly HashSet<long> _dirtyBatPages = [];
    private readonly HashSet<(long Chunk, int Page)> _dirtyBitmapPages = [];
    private readonly Dictionary<long, byte[]> _bitmaps = [];

    /// <summary>Guards file space reservation and the blocks being allocated right now.</summary>
    private readonly Lock _allocationLock = new();
    private readonly Dictionary<long, Task> _pendingAllocations = [];
    private long _fileEnd;

    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private long _flushesRequested;
    private long _flushesCompleted;
    private volatile bool _modified;
    private bool _disposed;

    private VhdxBlockDevice(IVhdxFile file, VhdxHeaderSet headers, VhdxMetadata metadata, long batOffset, ulong[] bat, IBlockDevice? parent, string? path, string? parentPath, int replayedEntries, ulong logSequence)
    {
        _file = file;
        _headers = headers;
        _metadata = metadata;
        _layout = new VhdxBatLayout(metadata.VirtualDiskSize, metadata.BlockSize, metadata.LogicalSectorSize, metadata.HasParent);
        _batOffset = batOffset;
        _bat = bat;
        _parent = parent;
        _journal = new VhdxJournal(file, headers, logSequence);
        _blockShift = System.Numerics.BitOperations.Log2((uint)metadata.BlockSize);
        _sectorShift = System.Numerics.BitOperations.Log2((uint)metadata.LogicalSectorSize);
        _replayedEntries = replayedEntries;
        Path = path;
        ParentPath = parentPath;
        Geometry = new BlockGeometry(metadata.LogicalSectorSize, Math.Max(metadata.PhysicalSectorSize, metadata.LogicalSectorSize), metadata.VirtualDiskSize / metadata.LogicalSectorSize);
        Features = BlockDeviceFeatures.Unmap | (file.CanWrite ? BlockDeviceFeatures.VolatileWriteCache : BlockDeviceFeatures.ReadOnly);
        _fileEnd = ComputeFileEnd();
    }

    public BlockGeometry Geometry { get; }

    public BlockDeviceFeatures Features { get; }

    public string? Path { get; }

    public string? ParentPath { get; }

    public VhdxDiskType DiskType => _metadata.HasParent ? VhdxDiskType.Differencing : _metadata.LeaveBlockAllocated ? VhdxDiskType.Fixed : VhdxDiskType.Dynamic;

    /// <summary>The Virtual Disk ID metadata item: the disk's identity, meant for SCSI VPD page 0x83.</summary>
    public Guid VirtualDiskId => _metadata.VirtualDiskId;

    /// <summary>Log entries written since open: with group commit, far fewer than the BAT updates they carry.</summary>
    public long LogEntriesWritten => _journal.EntriesWritten;

    public long PagesLogged => _journal.PagesLogged;

    public VhdxDiskInfo Info
    {
        get
        {
            long allocated = 0;
            for (long block = 0; block < _layout.DataBlockCount; block++)
            {
                if (VhdxBatEntry.IsAllocated(VhdxBatEntry.State(PayloadEntry(block))))
                {
                    allocated++;
                }
            }

            return new VhdxDiskInfo(DiskType, _metadata.VirtualDiskSize, _metadata.BlockSize, _metadata.LogicalSectorSize, _metadata.PhysicalSectorSize,
                _metadata.VirtualDiskId, _headers.Current.DataWriteGuid, _file.Length, _layout.DataBlockCount, allocated, _layout.ChunkRatio, ParentPath, _replayedEntries);
        }
    }

    internal VhdxMetadata Metadata => _metadata;

    internal VhdxBatLayout Layout => _layout;

    internal VhdxHeader CurrentHeader => _headers.Current;

    /// <summary>The state of payload block <paramref name="block"/>, for tests and tools.</summary>
    public VhdxBlockState GetBlockState(long block) => (VhdxBlockState)VhdxBatEntry.State(PayloadEntry(block));

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_modified)
            {
                await FlushAsync().ConfigureAwait(false);
                await _journal.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_parent is not null)
            {
                await _parent.DisposeAsync().ConfigureAwait(false);
            }

            _file.Dispose();
            _commitGate.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong PayloadEntry(long block) => Volatile.Read(ref _bat[_layout.PayloadIndex(block)]);

    /// <summary>Sets a BAT entry and marks its page for the next log commit. Caller holds <see cref="_metadataLock"/>.</summary>
    private void SetEntryLocked(long index, ulong entry)
    {
        Volatile.Write(ref _bat[index], entry);
        _dirtyBatPages.Add(index / BatEntriesPerPage);
    }

    /// <summary>Where new blocks go: past every structure the file holds.</summary>
    private long ComputeFileEnd()
    {
        var end = Math.Max(VhdxFormat.RoundUpToMib(_file.Length), (long)(_headers.Current.LogOffset + _headers.Current.LogLength));
        end = Math.Max(end, _batOffset + _layout.RegionLength);
        for (long i = 0; i < _layout.TotalEntries; i++)
        {
            var entry = _bat[i];
            var size = _layout.IsSectorBitmapIndex(i) ? VhdxFormat.SectorBitmapBlockSize : _metadata.BlockSize;
            if (VhdxBatEntry.FileOffset(entry) != 0 && (VhdxBatEntry.State(entry) is 6 or 7 || _layout.IsSectorBitmapIndex(i)))
            {
                end = Math.Max(end, VhdxBatEntry.FileOffset(entry) + size);
            }
        }

        return end;
    }

    private void ThrowIfReadOnly()
    {
        if (!_file.CanWrite)
        {
            throw new InvalidOperationException($"VHDX '{Path}' is open read-only");
        }
    }
}
