using System.Text;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// Creates VHDX files with the layout qemu and Hyper-V use: header section, then 1 MB each of log
/// and metadata, then the BAT, then payload blocks. A fixed disk's blocks are all FULLY_PRESENT and
/// reserved up front (with progress: a multi-terabyte disk takes a while on some file systems).
/// The headers are written last, so a create that dies half way leaves a file nobody will open.
/// </summary>
public static class VhdxDiskCreator
{
    private const long LogOffset = VhdxFormat.HeaderSectionSize;
    private const long MetadataOffset = 2L * VhdxFormat.Mib;
    private const long BatOffset = 3L * VhdxFormat.Mib;
    private const string Creator = "Storlane 0.1.0";

    /// <param name="progress">Bytes of payload reserved so far (fixed disks only).</param>
    public static async Task CreateAsync(string path, VhdxCreateOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var metadata = await BuildMetadataAsync(path, options, cancellationToken).ConfigureAwait(false);
        using var file = VhdxOsFile.Create(path, options.Overwrite);
        try
        {
            await CreateAsync(file, metadata, progress, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }
    }

    internal static async Task<VhdxMetadata> BuildMetadataAsync(string path, VhdxCreateOptions options, CancellationToken cancellationToken)
    {
        if (options.Type != VhdxDiskType.Differencing)
        {
            var logical = options.LogicalSectorSize;
            var metadata = new VhdxMetadata(
                options.BlockSize ?? VhdxCreateOptions.DefaultBlockSize,
                options.Type == VhdxDiskType.Fixed,
                false,
                options.VirtualSize,
                Guid.NewGuid(),
                logical,
                options.PhysicalSectorSize ?? logical,
                null);
            metadata.Validate(MetadataOffset);
            return metadata;
        }

        var parentPath = options.ParentPath ?? throw new ArgumentException("a differencing disk needs a parent");
        await using var parent = await VhdxBlockDevice.OpenAsync(parentPath, readOnly: true, cancellationToken).ConfigureAwait(false);
        var parentMetadata = parent.Metadata;

        // Forking copies every IsVirtualDisk item: size, disk id and sector sizes (2.6.1.2).
        var child = parentMetadata with
        {
            BlockSize = options.BlockSize ?? VhdxCreateOptions.DefaultDifferencingBlockSize,
            LeaveBlockAllocated = false,
            HasParent = true,
            ParentLocator = VhdxParentLocator.ForParent(parent.CurrentHeader.DataWriteGuid, path, parentPath),
        };
        child.Validate(MetadataOffset);
        return child;
    }

    internal static async Task CreateAsync(IVhdxFile file, VhdxMetadata metadata, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var layout = new VhdxBatLayout(metadata.VirtualDiskSize, metadata.BlockSize, metadata.LogicalSectorSize, metadata.HasParent);
        var payloadOffset = BatOffset + layout.RegionLength;
        var fixedDisk = metadata.LeaveBlockAllocated && !metadata.HasParent;

        var identifier = new byte[VhdxFormat.Kib];
        VhdxFormat.FileSignature.CopyTo(identifier);
        Encoding.Unicode.GetBytes(Creator, identifier.AsSpan(8));
        await file.WriteAsync(identifier, VhdxFormat.FileIdentifierOffset, cancellationToken).ConfigureAwait(false);

        var regionTable = new byte[VhdxFormat.RegionTableSize];
        new VhdxRegionTable(
        [
            new VhdxRegion(VhdxKnownIds.MetadataRegion, MetadataOffset, VhdxFormat.Mib, true),
            new VhdxRegion(VhdxKnownIds.BatRegion, BatOffset, (uint)layout.RegionLength, true),
        ]).WriteTo(regionTable);
        await file.WriteAsync(regionTable, VhdxFormat.RegionTable1Offset, cancellationToken).ConfigureAwait(false);
        await file.WriteAsync(regionTable, VhdxFormat.RegionTable2Offset, cancellationToken).ConfigureAwait(false);
        await file.WriteAsync(metadata.ToRegion(), MetadataOffset, cancellationToken).ConfigureAwait(false);

        var end = payloadOffset;
        if (fixedDisk)
        {
            await WriteFixedBatAsync(file, layout, payloadOffset, cancellationToken).ConfigureAwait(false);
            end = payloadOffset + (layout.DataBlockCount * metadata.BlockSize);
            await file.AllocateAsync(payloadOffset, end - payloadOffset, progress, cancellationToken).ConfigureAwait(false);
        }

        // An all-zero BAT (every block NOT_PRESENT) needs no writing: the file is extended to cover it.
        if (file.Length < end)
        {
            file.SetLength(end);
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);

        var header = new VhdxHeader(0, Guid.NewGuid(), Guid.NewGuid(), Guid.Empty, 0, VhdxHeader.CurrentVersion, VhdxFormat.DefaultLogLength, LogOffset);
        var block = new byte[VhdxFormat.HeaderSize];
        for (var slot = 0; slot < 2; slot++)
        {
            (header with { SequenceNumber = (ulong)slot + 1 }).WriteTo(block);
            await file.WriteAsync(block, VhdxHeader.SlotOffset(slot), cancellationToken).ConfigureAwait(false);
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteFixedBatAsync(IVhdxFile file, VhdxBatLayout layout, long payloadOffset, CancellationToken cancellationToken)
    {
        // In 1 MB pieces: a 64 TB disk's BAT is 16 MB.
        var buffer = new byte[VhdxFormat.Mib];
        const int EntriesPerBuffer = VhdxFormat.Mib / sizeof(ulong);
        for (long first = 0; first < layout.TotalEntries; first += EntriesPerBuffer)
        {
            Array.Clear(buffer);
            var count = (int)Math.Min(EntriesPerBuffer, layout.TotalEntries - first);
            for (var i = 0; i < count; i++)
            {
                var index = first + i;
                if (layout.IsSectorBitmapIndex(index))
                {
                    continue;
                }

                var block = index - (index / (layout.ChunkRatio + 1));
                var entry = VhdxBatEntry.Make((int)VhdxBlockState.FullyPresent, payloadOffset + (block * layout.BlockSize));
                BitConverter.TryWriteBytes(buffer.AsSpan(i * sizeof(ulong)), entry);
            }

            await file.WriteAsync(buffer.AsMemory(0, count * sizeof(ulong)), BatOffset + (first * sizeof(ulong)), cancellationToken).ConfigureAwait(false);
        }
    }
}
