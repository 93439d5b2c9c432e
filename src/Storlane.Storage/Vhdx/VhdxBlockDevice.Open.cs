using System.Runtime.InteropServices;

namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>Opens a VHDX file; a differencing disk opens its parent chain read-only.</summary>
    public static async Task<VhdxBlockDevice> OpenAsync(string path, bool readOnly = false, CancellationToken cancellationToken = default)
    {
        var file = VhdxOsFile.Open(path, !readOnly);
        try
        {
            return await OpenAsync(file, file.Path, null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Synchronous open for callers that build devices at start-up.</summary>
    public static VhdxBlockDevice Open(string path, bool readOnly = false) => OpenAsync(path, readOnly).GetAwaiter().GetResult();

    /// <summary>Opens from any file layer; <paramref name="parent"/> replaces parent lookup by path (tests).</summary>
    internal static async Task<VhdxBlockDevice> OpenAsync(IVhdxFile file, string? path, IBlockDevice? parent, CancellationToken cancellationToken = default)
    {
        var section = new byte[VhdxFormat.HeaderSectionSize];
        await file.ReadAsync(section, 0, cancellationToken).ConfigureAwait(false);
        var where = path ?? "VHDX";

        // "MUST validate the Signature field when loading a VHDX file" (2.2.1).
        if (!section.AsSpan(0, 8).SequenceEqual(VhdxFormat.FileSignature))
        {
            throw new InvalidDataException($"{where}: not a VHDX file (no 'vhdxfile' signature at offset 0)");
        }

        var first = VhdxHeader.TryParse(section.AsSpan((int)VhdxFormat.Header1Offset), out var firstProblem);
        var second = VhdxHeader.TryParse(section.AsSpan((int)VhdxFormat.Header2Offset), out var secondProblem);
        var current = VhdxHeader.PickCurrent(first, second)
            ?? throw new InvalidDataException($"{where}: no valid header (header 1 at 64 KB: {firstProblem}; header 2 at 128 KB: {secondProblem})");
        var header = current.Header;
        if (header.Version != VhdxHeader.CurrentVersion)
        {
            throw new InvalidDataException($"{where}: header Version is {header.Version}, only 1 is defined");
        }

        if (header.LogVersion != 0 && header.LogGuid != Guid.Empty)
        {
            throw new InvalidDataException($"{where}: LogVersion {header.LogVersion} is unknown and the log is not empty");
        }

        var regions = VhdxRegionTable.TryParse(section.AsSpan((int)VhdxFormat.RegionTable1Offset), out var rt1Problem)
            ?? VhdxRegionTable.TryParse(section.AsSpan((int)VhdxFormat.RegionTable2Offset), out var rt2Problem)
            ?? throw new InvalidDataException($"{where}: both region tables are invalid (192 KB: {rt1Problem}; 256 KB: {rt2Problem})");
        foreach (var region in regions.Regions)
        {
            if (region.Required && region.Id != VhdxKnownIds.BatRegion && region.Id != VhdxKnownIds.MetadataRegion)
            {
                throw new InvalidDataException($"{where}: required region {region.Id} at {region.FileOffset} is not understood");
            }
        }

        var batRegion = regions.Find(VhdxKnownIds.BatRegion) ?? throw new InvalidDataException($"{where}: the region table has no BAT region");
        var metadataRegion = regions.Find(VhdxKnownIds.MetadataRegion) ?? throw new InvalidDataException($"{where}: the region table has no metadata region");

        if (file.CanWrite)
        {
            // A writable disk journals every BAT and bitmap update through the log (MS-VHDX 2.3):
            // refuse at open rather than fail the first allocating write.
            RequireUsableLog(file, header, where);
        }

        var headers = new VhdxHeaderSet(file, header, current.Slot);
        var (replayed, sequence) = (0, 0UL);
        if (header.LogGuid != Guid.Empty)
        {
            (file, replayed, sequence) = await ReplayLogAsync(file, headers, where, cancellationToken).ConfigureAwait(false);
        }

        // Read whole into memory, so sized by the file before any allocation: a region length is a
        // 32-bit field (up to 4 GB) that a damaged or hostile file may set to anything.
        RequireReadable(file, metadataRegion.FileOffset, metadataRegion.Length, "metadata region", where);
        var metadataBytes = new byte[metadataRegion.Length];
        await file.ReadAsync(metadataBytes, metadataRegion.FileOffset, cancellationToken).ConfigureAwait(false);
        var metadata = VhdxMetadata.Parse(metadataBytes, metadataRegion.FileOffset);
        var layout = new VhdxBatLayout(metadata.VirtualDiskSize, metadata.BlockSize, metadata.LogicalSectorSize, metadata.HasParent);
        if (layout.TotalEntries * sizeof(ulong) > batRegion.Length)
        {
            throw new InvalidDataException($"{where}: the BAT region at {batRegion.FileOffset} holds {batRegion.Length / 8} entries but the disk needs {layout.TotalEntries}");
        }

        // Whole 4 KB pages, so a dirty page can be logged straight from the array.
        var bat = new ulong[(layout.TotalEntries + BatEntriesPerPage - 1) / BatEntriesPerPage * BatEntriesPerPage];
        var batBytes = MemoryMarshal.AsBytes(bat.AsSpan()).Length;
        var batBuffer = new byte[batBytes];
        await file.ReadAsync(batBuffer.AsMemory(0, (int)Math.Min(batBytes, batRegion.Length)), batRegion.FileOffset, cancellationToken).ConfigureAwait(false);
        batBuffer.AsSpan().CopyTo(MemoryMarshal.AsBytes(bat.AsSpan()));

        string? parentPath = null;
        if (metadata.HasParent && parent is null)
        {
            (parent, parentPath) = await OpenParentAsync(metadata, path, cancellationToken).ConfigureAwait(false);
        }

        if (parent is not null && parent.Geometry.LogicalBlockSize != metadata.LogicalSectorSize)
        {
            await parent.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"{where}: logical sector size {metadata.LogicalSectorSize} differs from the parent's {parent.Geometry.LogicalBlockSize} (\"the logical sector size for the parent and child MUST be the same\")");
        }

        return new VhdxBlockDevice(file, headers, metadata, batRegion.FileOffset, bat, metadata.HasParent ? parent : null, path, parentPath, replayed, sequence);
    }

    /// <summary>
    /// "If the log is non-empty when the VHDX file is opened, the implementation MUST replay the log
    /// before performing any I/O to the file other than reading the VHDX header and the log."
    /// A read-only open replays into an in-memory overlay instead of the file.
    /// </summary>
    /// <summary>Largest metadata region or log read into memory; Hyper-V and qemu make 1 MB of each.</summary>
    internal const long MaxStructureLength = 256L * VhdxFormat.Mib;

    private static async Task<(IVhdxFile File, int Entries, ulong Sequence)> ReplayLogAsync(IVhdxFile file, VhdxHeaderSet headers, string where, CancellationToken cancellationToken)
    {
        var header = headers.Current;
        RequireUsableLog(file, header, where);
        var log = new byte[header.LogLength];
        await file.ReadAsync(log, (long)header.LogOffset, cancellationToken).ConfigureAwait(false);
        var replay = VhdxLogReader.FindActiveSequence(log, header.LogGuid);
        if (replay is null)
        {
            // A crash between setting LogGuid and writing the first entry leaves nothing to replay.
            return (file, 0, 0);
        }

        // "If the file's size is less than the FlushedFileOffset field of the head entry ... the file has been truncated, and the implementation MUST fail to open it."
        if (file.Length < replay.FlushedFileOffset)
        {
            throw new InvalidDataException($"{where}: the file is {file.Length} bytes but the log says at least {replay.FlushedFileOffset} were flushed: it has been truncated");
        }

        if (!file.CanWrite)
        {
            return (new VhdxOverlayFile(file, replay), replay.EntryCount, replay.HeadSequenceNumber);
        }

        await headers.BeginModificationAsync(userVisible: false, cancellationToken).ConfigureAwait(false);
        await ApplyReplayAsync(file, replay, cancellationToken).ConfigureAwait(false);
        await headers.SetLogGuidAsync(Guid.Empty, cancellationToken).ConfigureAwait(false);
        return (file, replay.EntryCount, replay.HeadSequenceNumber);
    }

    /// <summary>
    /// "LogOffset ... MUST be a multiple of 1 MB", and so must LogLength (MS-VHDX 2.2.2); the log
    /// also has to hold an entry and lie inside the file to be replayed or written.
    /// </summary>
    private static void RequireUsableLog(IVhdxFile file, VhdxHeader header, string where)
    {
        if (header.LogLength == 0 || header.LogLength % VhdxFormat.Mib != 0 || header.LogOffset % VhdxFormat.Mib != 0 || header.LogOffset < VhdxFormat.HeaderSectionSize)
        {
            throw new InvalidDataException($"{where}: the log at {header.LogOffset} length {header.LogLength} is not 1 MB aligned past the header section");
        }

        RequireReadable(file, (long)Math.Min(header.LogOffset, (ulong)long.MaxValue), header.LogLength, "log", where);
    }

    /// <summary>
    /// A structure read whole must lie inside the file and within <see cref="MaxStructureLength"/>:
    /// MS-VHDX bounds neither, and allocating what a damaged header asks for would end the process.
    /// </summary>
    private static void RequireReadable(IVhdxFile file, long offset, long length, string what, string where)
    {
        if (length > MaxStructureLength || offset > file.Length - length)
        {
            throw new InvalidDataException($"{where}: the {what} at {offset} length {length} lies past the end of the {file.Length}-byte file or exceeds {MaxStructureLength >> 20} MB");
        }
    }

    internal static async Task ApplyReplayAsync(IVhdxFile file, VhdxLogReplay replay, CancellationToken cancellationToken)
    {
        foreach (var write in replay.Writes)
        {
            if (write.Data is { } data)
            {
                await file.WriteAsync(data, write.FileOffset, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteZerosAsync(file, write.FileOffset, write.Length, cancellationToken).ConfigureAwait(false);
            }
        }

        // "After all the entries have been replayed, the implementation MUST expand the file size to be at least as large as the LastFileOffset field."
        if (file.Length < replay.LastFileOffset)
        {
            file.SetLength(replay.LastFileOffset);
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(IBlockDevice Parent, string ParentPath)> OpenParentAsync(VhdxMetadata metadata, string? childPath, CancellationToken cancellationToken)
    {
        var locator = metadata.ParentLocator!;
        if (locator.LocatorType != VhdxKnownIds.VhdxParentLocatorType)
        {
            throw new InvalidDataException($"{childPath}: parent locator type {locator.LocatorType} is not the VHDX locator");
        }

        var candidates = new List<string>();
        var childDirectory = childPath is null ? Directory.GetCurrentDirectory() : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(childPath))!;

        // "relative_path, volume_path and then absolute_path", Windows separators turned into ours.
        if (locator[VhdxParentLocator.RelativePathKey] is { } relative)
        {
            candidates.Add(System.IO.Path.GetFullPath(System.IO.Path.Combine(childDirectory, relative.Replace('\\', System.IO.Path.DirectorySeparatorChar))));
        }

        if (locator[VhdxParentLocator.AbsoluteWin32PathKey] is { } absolute)
        {
            candidates.Add(absolute.StartsWith(@"\\?\", StringComparison.Ordinal) ? absolute[4..] : absolute);
        }

        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate))
            {
                continue;
            }

            var parent = await OpenAsync(candidate, readOnly: true, cancellationToken).ConfigureAwait(false);
            var linkage = locator[VhdxParentLocator.ParentLinkageKey];
            var linkage2 = locator[VhdxParentLocator.ParentLinkage2Key];
            var actual = VhdxParentLocator.FormatLinkage(parent.CurrentHeader.DataWriteGuid);

            // "the implementation MUST verify that the DataWriteGuid field of the parent's header matches one of these two fields."
            if (!string.Equals(linkage, actual, StringComparison.OrdinalIgnoreCase) && !string.Equals(linkage2, actual, StringComparison.OrdinalIgnoreCase))
            {
                await parent.DisposeAsync().ConfigureAwait(false);
                throw new InvalidDataException($"{childPath}: parent '{candidate}' has DataWriteGuid {actual} but the child was made from {linkage}: the parent changed after the child was created");
            }

            return (parent, candidate);
        }

        throw new FileNotFoundException($"{childPath}: parent VHDX not found (tried {string.Join(", ", candidates)})");
    }

    private static async ValueTask WriteZerosAsync(IVhdxFile file, long offset, long length, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            var chunk = (int)Math.Min(length, ZeroBuffer.Length);
            await file.WriteAsync(ZeroBuffer.AsMemory(0, chunk), offset, cancellationToken).ConfigureAwait(false);
            offset += chunk;
            length -= chunk;
        }
    }
}
