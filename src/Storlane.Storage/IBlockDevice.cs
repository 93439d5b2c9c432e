namespace Storlane.Storage;

/// <summary>
/// A block device addressed by logical block. Every buffer length is a whole number of logical
/// blocks and every range lies inside the device: callers (the SCSI layer) check ranges first and
/// answer out-of-range requests with sense data, so a device treats them as programming errors.
/// </summary>
public interface IBlockDevice : IAsyncDisposable
{
    BlockGeometry Geometry { get; }

    BlockDeviceFeatures Features { get; }

    ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Writes whole blocks; with <see cref="WriteOptions.ForceUnitAccess"/> the data is on stable media on return.</summary>
    ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default);

    /// <summary>Makes every completed write durable (SYNCHRONIZE CACHE).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Deallocates blocks; later reads return zeros. Only when <see cref="BlockDeviceFeatures.Unmap"/> is set.</summary>
    ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default);
}

[Flags]
public enum WriteOptions
{
    None = 0,

    /// <summary>SBC-3 FUA: complete only after the data reaches non-volatile media.</summary>
    ForceUnitAccess = 1,
}

[Flags]
public enum BlockDeviceFeatures
{
    None = 0,

    /// <summary>UNMAP deallocates and unmapped blocks read back as zeros (LBPRZ).</summary>
    Unmap = 1,

    /// <summary>Writes are refused (DATA PROTECT).</summary>
    ReadOnly = 2,

    /// <summary>Completed writes may sit in a volatile cache until a flush (WCE=1 in the caching page).</summary>
    VolatileWriteCache = 4,
}
