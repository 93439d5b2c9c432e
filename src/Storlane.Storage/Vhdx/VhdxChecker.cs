using System.Buffers.Binary;

namespace Storlane.Storage.Vhdx;

/// <summary>
/// Verifies every structure of a VHDX file against MS-VHDX 1.0 and reports each problem with the
/// structure and file offset: file identifier, both headers, both region tables, the log, the
/// metadata table and items, every BAT entry (state, reserved bits, alignment, bounds, overlaps),
/// sector bitmap presence, and the parent link of a differencing disk. With repair, a log that
/// still holds entries is replayed into the file first.
/// </summary>
public static class VhdxChecker
{
    public static async Task<VhdxCheckReport> CheckAsync(string path, bool repair = false, CancellationToken cancellationToken = default)
    {
        var report = new VhdxCheckReport();
        if (repair)
        {
            await RepairAsync(path, report, cancellationToken).ConfigureAwait(false);
        }

        using var file = VhdxOsFile.Open(path, writable: false);
        await CheckAsync(file, path, report, cancellationToken).ConfigureAwait(false);
        return report;
    }

    internal static async Task CheckAsync(IVhdxFile file, string? path, VhdxCheckReport report, CancellationToken cancellationToken)
    {
        var length = file.Length;
        if (length < VhdxFormat.HeaderSectionSize)
        {
            report.Error("file", 0, $"the file is {length} bytes, shorter than the 1 MB header section");
            return;
        }

        var section = new byte[VhdxFormat.HeaderSectionSize];
        await file.ReadAsync(section, 0, cancellationToken).ConfigureAwait(false);
        if (!section.AsSpan(0, 8).SequenceEqual(VhdxFormat.FileSignature))
        {
            report.Error("file identifier", 0, "signature is not 'vhdxfile'");
            return;
        }

        var header = CheckHeaders(section, length, report);
        var regions = CheckRegionTables(section, length, report);
        if (header is null || regions is null)
        {
            return;
        }

        var view = await CheckLogAsync(file, header, report, cancellationToken).ConfigureAwait(false);
        var metadataRegion = regions.Find(VhdxKnownIds.MetadataRegion)!.Value;
        var metadataBytes = new byte[metadataRegion.Length];
        await view.ReadAsync(metadataBytes, metadataRegion.FileOffset, cancellationToken).ConfigureAwait(false);
        VhdxMetadata metadata;
        try
        {
            metadata = VhdxMetadata.Parse(metadataBytes, metadataRegion.FileOffset);
        }
        catch (InvalidDataException ex)
        {
            report.Error("metadata", metadataRegion.FileOffset, ex.Message);
            return;
        }

        var structures = new List<(long Start, long End, string What)>
        {
            (0, VhdxFormat.HeaderSectionSize, "header section"),
            ((long)header.LogOffset, (long)header.LogOffset + header.LogLength, "log"),
        };
        foreach (var region in regions.Regions)
        {
            structures.Add((region.FileOffset, region.End, region.Id == VhdxKnownIds.BatRegion ? "BAT region" : region.Id == VhdxKnownIds.MetadataRegion ? "metadata region" : $"region {region.Id}"));
        }

        await CheckBatAsync(view, regions.Find(VhdxKnownIds.BatRegion)!.Value, metadata, length, structures, report, cancellationToken).ConfigureAwait(false);
        CheckOverlaps(structures, report);
        if (metadata.HasParent && path is not null)
        {
            await CheckParentAsync(path, report, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RepairAsync(string path, VhdxCheckReport report, CancellationToken cancellationToken)
    {
        // Opening for write replays the log into the file (MS-VHDX 2.3.3) and clears LogGuid.
        await using var device = await VhdxBlockDevice.OpenAsync(path, readOnly: false, cancellationToken).ConfigureAwait(false);
        report.ReplayedEntries = device.Info.ReplayedLogEntries;
    }

    private static VhdxHeader? CheckHeaders(byte[] section, long length, VhdxCheckReport report)
    {
        var first = VhdxHeader.TryParse(section.AsSpan((int)VhdxFormat.Header1Offset), out var firstProblem);
        var second = VhdxHeader.TryParse(section.AsSpan((int)VhdxFormat.Header2Offset), out var secondProblem);
        var current = VhdxHeader.PickCurrent(first, second);
        if (current is null)
        {
            report.Error("header 1", VhdxFormat.Header1Offset, firstProblem!);
            report.Error("header 2", VhdxFormat.Header2Offset, secondProblem!);
            return null;
        }

        // One bad copy is survivable (that is why there are two) but worth knowing.
        if (first is null)
        {
            report.Warning("header 1", VhdxFormat.Header1Offset, $"{firstProblem}; header 2 is used");
        }

        if (second is null)
        {
            report.Warning("header 2", VhdxFormat.Header2Offset, $"{secondProblem}; header 1 is used");
        }

        var header = current.Value.Header;
        var offset = VhdxHeader.SlotOffset(current.Value.Slot);
        var name = $"header {current.Value.Slot + 1}";
        if (header.Version != VhdxHeader.CurrentVersion)
        {
            report.Error(name, offset, $"Version is {header.Version}; it MUST be 1");
            return null;
        }

        if (header.LogVersion != 0)
        {
            report.Error(name, offset, $"LogVersion is {header.LogVersion}; it MUST be 0");
        }

        if (header.LogLength == 0 || header.LogLength % VhdxFormat.Mib != 0 || header.LogOffset % VhdxFormat.Mib != 0 || header.LogOffset < VhdxFormat.HeaderSectionSize)
        {
            report.Error(name, offset, $"log at {header.LogOffset} length {header.LogLength} is not a non-empty 1 MB multiple at a 1 MB boundary past the header section");
            return null;
        }

        if ((long)header.LogOffset + header.LogLength > length)
        {
            report.Error(name, offset, $"log at {header.LogOffset} length {header.LogLength} runs past the end of the {length}-byte file");
            return null;
        }

        return header;
    }

    private static VhdxRegionTable? CheckRegionTables(byte[] section, long length, VhdxCheckReport report)
    {
        var first = VhdxRegionTable.TryParse(section.AsSpan((int)VhdxFormat.RegionTable1Offset), out var firstProblem);
        var second = VhdxRegionTable.TryParse(section.AsSpan((int)VhdxFormat.RegionTable2Offset), out var secondProblem);
        if (first is null)
        {
            report.Problems.Add(new VhdxProblem(second is null ? VhdxProblemSeverity.Error : VhdxProblemSeverity.Warning, "region table 1", VhdxFormat.RegionTable1Offset, firstProblem!));
        }

        if (second is null)
        {
            report.Problems.Add(new VhdxProblem(first is null ? VhdxProblemSeverity.Error : VhdxProblemSeverity.Warning, "region table 2", VhdxFormat.RegionTable2Offset, secondProblem!));
        }

        if (first is not null && second is not null
            && !section.AsSpan((int)VhdxFormat.RegionTable1Offset, VhdxFormat.RegionTableSize).SequenceEqual(section.AsSpan((int)VhdxFormat.RegionTable2Offset, VhdxFormat.RegionTableSize)))
        {
            report.Warning("region table 2", VhdxFormat.RegionTable2Offset, "differs from region table 1; table 1 is used");
        }

        var table = first ?? second;
        if (table is null)
        {
            return null;
        }

        var tableOffset = first is null ? VhdxFormat.RegionTable2Offset : VhdxFormat.RegionTable1Offset;
        var ok = true;
        var seen = new HashSet<Guid>();
        foreach (var region in table.Regions)
        {
            if (!seen.Add(region.Id))
            {
                report.Error("region table", tableOffset, $"region {region.Id} appears twice (\"MUST be unique within the table\")");
                ok = false;
            }

            if (region.Required && region.Id != VhdxKnownIds.BatRegion && region.Id != VhdxKnownIds.MetadataRegion)
            {
                report.Error("region table", tableOffset, $"required region {region.Id} is not understood");
                ok = false;
            }

            if (region.End > length)
            {
                report.Error("region table", region.FileOffset, $"region {region.Id} ends at {region.End}, past the end of the {length}-byte file");
                ok = false;
            }
        }

        if (table.Find(VhdxKnownIds.BatRegion) is null || table.Find(VhdxKnownIds.MetadataRegion) is null)
        {
            report.Error("region table", tableOffset, "the BAT or the metadata region is missing");
            ok = false;
        }

        return ok ? table : null;
    }

    /// <summary>Reports a log that still needs replay; the rest of the check looks at the file as replayed.</summary>
    private static async Task<IVhdxFile> CheckLogAsync(IVhdxFile file, VhdxHeader header, VhdxCheckReport report, CancellationToken cancellationToken)
    {
        if (header.LogGuid == Guid.Empty)
        {
            return file;
        }

        var log = new byte[header.LogLength];
        await file.ReadAsync(log, (long)header.LogOffset, cancellationToken).ConfigureAwait(false);
        var replay = VhdxLogReader.FindActiveSequence(log, header.LogGuid);
        if (replay is null)
        {
            report.Warning("log", (long)header.LogOffset, "LogGuid is set but the log holds no valid entry (a writer stopped before its first log write); nothing to replay");
            return file;
        }

        report.Error("log", (long)header.LogOffset, $"the log holds {replay.EntryCount} entr{(replay.EntryCount == 1 ? "y" : "ies")} (head sequence {replay.HeadSequenceNumber}) not yet replayed; run check --repair or open the disk read-write");
        if (file.Length < replay.FlushedFileOffset)
        {
            report.Error("log", (long)header.LogOffset, $"the file is {file.Length} bytes but the log's FlushedFileOffset is {replay.FlushedFileOffset}: the file was truncated");
        }

        return new VhdxOverlayFile(file, replay, disposeInner: false);
    }

    private static async Task CheckBatAsync(IVhdxFile file, VhdxRegion batRegion, VhdxMetadata metadata, long length, List<(long Start, long End, string What)> structures, VhdxCheckReport report, CancellationToken cancellationToken)
    {
        var layout = new VhdxBatLayout(metadata.VirtualDiskSize, metadata.BlockSize, metadata.LogicalSectorSize, metadata.HasParent);
        if (layout.TotalEntries * sizeof(ulong) > batRegion.Length)
        {
            report.Error("BAT", batRegion.FileOffset, $"the region holds {batRegion.Length / 8} entries but a {metadata.VirtualDiskSize}-byte disk with {metadata.BlockSize}-byte blocks needs {layout.TotalEntries}");
            return;
        }

        var bytes = new byte[layout.TotalEntries * sizeof(ulong)];
        await file.ReadAsync(bytes, batRegion.FileOffset, cancellationToken).ConfigureAwait(false);
        for (long index = 0; index < layout.TotalEntries; index++)
        {
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)(index * sizeof(ulong))));
            var where = batRegion.FileOffset + (index * sizeof(ulong));
            var state = VhdxBatEntry.State(entry);
            var bitmap = layout.IsSectorBitmapIndex(index);
            var chunk = index / (layout.ChunkRatio + 1);
            var name = bitmap ? $"BAT entry {index} (sector bitmap of chunk {chunk})" : $"BAT entry {index} (payload block {index - chunk})";
            if (VhdxBatEntry.HasReservedBits(entry))
            {
                report.Error(name, where, $"reserved bits are set (entry 0x{entry:X16})");
            }

            if (bitmap)
            {
                if (state is not (VhdxBatEntry.SectorBitmapNotPresent or VhdxBatEntry.SectorBitmapPresent))
                {
                    report.Error(name, where, $"state {state} is not SB_BLOCK_NOT_PRESENT (0) or SB_BLOCK_PRESENT (6)");
                }
                else if (state == VhdxBatEntry.SectorBitmapPresent)
                {
                    if (!metadata.HasParent)
                    {
                        report.Error(name, where, "SB_BLOCK_PRESENT in a disk without a parent (\"For a fixed or dynamic VHDX file, a sector bitmap block entry MUST NOT be in this state\")");
                    }

                    CheckExtent(name, where, VhdxBatEntry.FileOffset(entry), VhdxFormat.SectorBitmapBlockSize, length, structures, report);
                }

                continue;
            }

            report.BlocksChecked++;
            if (!VhdxBatEntry.IsValidPayloadState(state))
            {
                report.Error(name, where, $"state {state} is reserved");
                continue;
            }

            if (state == (int)VhdxBlockState.PartiallyPresent)
            {
                if (!metadata.HasParent)
                {
                    report.Error(name, where, "PAYLOAD_BLOCK_PARTIALLY_PRESENT \"MUST NOT be present in a block entry for a fixed or dynamic VHDX file\"");
                }
                else
                {
                    var bitmapEntry = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)(layout.SectorBitmapIndex(chunk) * sizeof(ulong))));
                    if (VhdxBatEntry.State(bitmapEntry) != VhdxBatEntry.SectorBitmapPresent)
                    {
                        report.Error(name, where, $"partially present but the sector bitmap of chunk {chunk} is not present (\"the associated sector bitmap block MUST be already allocated\")");
                    }
                }
            }

            if (VhdxBatEntry.IsAllocated(state))
            {
                CheckExtent(name, where, VhdxBatEntry.FileOffset(entry), metadata.BlockSize, length, structures, report);
            }
        }
    }

    private static void CheckExtent(string name, long where, long offset, long size, long length, List<(long Start, long End, string What)> structures, VhdxCheckReport report)
    {
        if (offset < VhdxFormat.HeaderSectionSize)
        {
            report.Error(name, where, $"FileOffsetMB points at {offset}, inside the header section");
        }
        else if (offset + size > length)
        {
            report.Error(name, where, $"the block at {offset} ends at {offset + size}, past the end of the {length}-byte file");
        }
        else
        {
            structures.Add((offset, offset + size, name));
        }
    }

    /// <summary>"All objects within the table must be non-overlapping ... with respect to the log ... and the payload and sector bitmap blocks."</summary>
    private static void CheckOverlaps(List<(long Start, long End, string What)> structures, VhdxCheckReport report)
    {
        structures.Sort((a, b) => a.Start.CompareTo(b.Start));
        var reported = 0;
        for (var i = 1; i < structures.Count && reported < 100; i++)
        {
            var previous = structures[i - 1];
            var current = structures[i];
            if (current.Start < previous.End)
            {
                report.Error(current.What, current.Start, $"overlaps {previous.What} ({previous.Start}..{previous.End})");
                reported++;
            }
        }
    }

    private static async Task CheckParentAsync(string path, VhdxCheckReport report, CancellationToken cancellationToken)
    {
        try
        {
            await using var device = await VhdxBlockDevice.OpenAsync(path, readOnly: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            report.Error("parent locator", null, ex.Message);
        }
    }
}
