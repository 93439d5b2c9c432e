using System.Buffers.Binary;
using System.Text;
using Storlane.Protocol;
using Storlane.Storage.Vhdx;

namespace Storlane.Storage.Tests.Vhdx;

/// <summary>Golden bytes and formulas of MS-VHDX 1.0.</summary>
public sealed class VhdxFormatTests
{
    [Fact]
    public void Checksum_IsTheCrc32COfTheStructureWithItsFieldZeroed_StoredLittleEndian()
    {
        // MS-VHDX 2: the checksum is CRC-32C over the whole structure with the checksum field set to zero.
        var structure = Enumerable.Range(0, 64).Select(i => (byte)((i * 13) + 1)).ToArray();
        VhdxChecksum.Seal(structure, 4);
        var zeroed = structure.ToArray();
        zeroed.AsSpan(4, 4).Clear();
        Assert.Equal(Crc32C.Compute(zeroed), BinaryPrimitives.ReadUInt32LittleEndian(structure.AsSpan(4)));
        Assert.True(VhdxChecksum.Verify(structure, 4));

        structure[63] ^= 0x80;
        Assert.False(VhdxChecksum.Verify(structure, 4));
    }

    [Fact]
    public void Header_IsWrittenWithItsFieldsAtTheSpecOffsets_AndChecksumOverFourKilobytes()
    {
        var header = new VhdxHeader(7, Guid.NewGuid(), Guid.NewGuid(), Guid.Empty, 0, 1, 1 << 20, 1 << 20);
        var block = new byte[4096];
        header.WriteTo(block);
        Assert.Equal("head"u8.ToArray(), block[..4]);
        Assert.Equal(7ul, BinaryPrimitives.ReadUInt64LittleEndian(block.AsSpan(8)));
        Assert.Equal(header.FileWriteGuid, new Guid(block.AsSpan(16, 16)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(66)));
        Assert.Equal(1u << 20, BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(68)));
        Assert.Equal(header, VhdxHeader.TryParse(block, out _));

        block[100] ^= 1;
        Assert.Null(VhdxHeader.TryParse(block, out var problem));
        Assert.Equal("checksum mismatch", problem);
    }

    [Fact]
    public void CurrentHeader_IsTheValidOneWithTheGreaterSequenceNumber()
    {
        var older = new VhdxHeader(5, Guid.Empty, Guid.Empty, Guid.Empty, 0, 1, 1 << 20, 1 << 20);
        var newer = older with { SequenceNumber = 6 };
        Assert.Equal(1, VhdxHeader.PickCurrent(older, newer)!.Value.Slot);
        Assert.Equal(0, VhdxHeader.PickCurrent(newer, older)!.Value.Slot);
        Assert.Equal(0, VhdxHeader.PickCurrent(older, null)!.Value.Slot);
        Assert.Null(VhdxHeader.PickCurrent(null, null));
    }

    [Theory]
    [InlineData(512, 32 << 20, 128)]
    [InlineData(512, 1 << 20, 4096)]
    [InlineData(4096, 1 << 20, 32768)]
    [InlineData(512, 256 << 20, 16)]
    public void ChunkRatio_IsTwoToThe23TimesSectorSizeOverBlockSize(int sector, int blockSize, int expected)
    {
        Assert.Equal(expected, new VhdxBatLayout(1L << 30, blockSize, sector, false).ChunkRatio);
    }

    [Fact]
    public void BatEntries_InterleaveOneSectorBitmapEntryAfterEachChunk()
    {
        // 512-byte sectors, 32 MiB blocks: chunk ratio 128; a 10 GiB disk has 320 payload blocks in 3 chunks.
        var dynamic = new VhdxBatLayout(10L << 30, 32 << 20, 512, false);
        Assert.Equal(320, dynamic.DataBlockCount);
        Assert.Equal(3, dynamic.SectorBitmapBlockCount);
        Assert.Equal(320 + ((320 - 1) / 128), dynamic.TotalEntries);
        Assert.Equal(129, dynamic.PayloadIndex(128));
        Assert.True(dynamic.IsSectorBitmapIndex(128));
        Assert.Equal(128 + 129, dynamic.SectorBitmapIndex(1));

        // Differencing: "the last BAT entry must be able to locate the last sector bitmap block".
        Assert.Equal(3 * 129, new VhdxBatLayout(10L << 30, 32 << 20, 512, true).TotalEntries);
    }

    [Fact]
    public void BatEntry_HasStateInBits0To2_AndFileOffsetMbFromBit20()
    {
        var entry = VhdxBatEntry.Make((int)VhdxBlockState.FullyPresent, 5L << 20);
        Assert.Equal((5ul << 20) | 6, entry);
        Assert.Equal(5L << 20, VhdxBatEntry.FileOffset(entry));
        Assert.False(VhdxBatEntry.HasReservedBits(entry));
        Assert.True(VhdxBatEntry.HasReservedBits(entry | 0x100));
    }

    [Fact]
    public void LogEntry_WrittenAndScanned_ReplaysEachPageWithItsLeadingAndTrailingBytesRestored()
    {
        var logGuid = Guid.NewGuid();
        var page = new byte[4096];
        new Random(1).NextBytes(page);
        var pages = new[] { new VhdxPageUpdate(3 << 20, page), new VhdxPageUpdate((3 << 20) + 4096, new byte[4096]) };
        var log = new byte[1 << 20];
        VhdxLogEntry.Write(log.AsSpan(0, VhdxLogEntry.EntryLength(2)), 9, 0, logGuid, 4 << 20, 4 << 20, pages);

        // "Data (4084 bytes): Contains the raw data associated with the update, bytes 8 through 4,091".
        var dataSector = log.AsSpan(4096, 4096);
        Assert.Equal("data"u8.ToArray(), dataSector[..4].ToArray());
        Assert.True(dataSector[8..4092].SequenceEqual(page.AsSpan(8, 4084)));

        var replay = VhdxLogReader.FindActiveSequence(log, logGuid);
        Assert.NotNull(replay);
        Assert.Equal(9ul, replay.HeadSequenceNumber);
        Assert.Equal(page, replay.Writes[0].Data);
        Assert.Equal(3L << 20, replay.Writes[0].FileOffset);

        // An entry written under another LogGuid "MUST NOT be considered valid".
        Assert.Null(VhdxLogReader.FindActiveSequence(log, Guid.NewGuid()));

        // A torn data sector fails the checksum.
        log[4096 + 100] ^= 0xFF;
        Assert.Null(VhdxLogReader.FindActiveSequence(log, logGuid));
    }

    [Fact]
    public void LogScan_PicksTheNewestValidSequence()
    {
        var logGuid = Guid.NewGuid();
        var log = new byte[1 << 20];
        var old = new[] { new VhdxPageUpdate(3 << 20, Filled(1)) };
        var newer = new[] { new VhdxPageUpdate(3 << 20, Filled(2)) };
        VhdxLogEntry.Write(log.AsSpan(0, 8192), 4, 0, logGuid, 0, 4 << 20, old);
        VhdxLogEntry.Write(log.AsSpan(8192, 8192), 5, 8192, logGuid, 0, 4 << 20, newer);
        var replay = VhdxLogReader.FindActiveSequence(log, logGuid)!;
        Assert.Equal(5ul, replay.HeadSequenceNumber);
        Assert.Single(replay.Writes);
        Assert.Equal(2, replay.Writes[0].Data![0]);
    }

    [Fact]
    public async Task NewDynamicDisk_HasTheHeaderSectionRegionsMetadataAndBatWhereQemuAndHyperVPutThem()
    {
        var file = new MemoryVhdxFile();
        var metadata = new VhdxMetadata(32 << 20, false, false, 1L << 30, Guid.NewGuid(), 512, 4096, null);
        await VhdxDiskCreator.CreateAsync(file, metadata, null, CancellationToken.None);
        var image = file.DurableImage();

        Assert.Equal("vhdxfile"u8.ToArray(), image[..8]);
        Assert.Equal("Storlane", Encoding.Unicode.GetString(image, 8, 16));
        Assert.Equal("head"u8.ToArray(), image.AsSpan(64 << 10, 4).ToArray());
        Assert.Equal("head"u8.ToArray(), image.AsSpan(128 << 10, 4).ToArray());
        Assert.Equal(image.AsSpan(192 << 10, 64 << 10).ToArray(), image.AsSpan(256 << 10, 64 << 10).ToArray());
        var regions = VhdxRegionTable.TryParse(image.AsSpan(192 << 10), out _)!;
        Assert.Equal(2L << 20, regions.Find(VhdxKnownIds.MetadataRegion)!.Value.FileOffset);
        Assert.Equal(3L << 20, regions.Find(VhdxKnownIds.BatRegion)!.Value.FileOffset);
        Assert.True(regions.Find(VhdxKnownIds.BatRegion)!.Value.Required);
        Assert.Equal("metadata"u8.ToArray(), image.AsSpan(2 << 20, 8).ToArray());
        Assert.Equal(metadata, VhdxMetadata.Parse(image.AsSpan(2 << 20, 1 << 20), 2 << 20));
        Assert.Equal(4L << 20, image.Length);
    }

    [Fact]
    public void Metadata_RefusesABlockSizeThatIsNotAPowerOfTwoBetween1And256MiB()
    {
        var bad = new VhdxMetadata(3 << 20, false, false, 1L << 30, Guid.NewGuid(), 512, 512, null);
        var ex = Assert.Throws<InvalidDataException>(() => VhdxMetadata.Parse(bad.ToRegion(), 2 << 20));
        Assert.Contains("BlockSize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParentLocator_RoundTripsUtf16KeysAndValues()
    {
        var guid = Guid.NewGuid();
        var locator = VhdxParentLocator.ForParent(guid, "/a/b/child.vhdx", "/a/parent.vhdx");
        var parsed = VhdxParentLocator.Parse(locator.ToBytes());
        Assert.Equal(VhdxKnownIds.VhdxParentLocatorType, parsed.LocatorType);
        Assert.Equal(guid.ToString("B"), parsed["parent_linkage"]);
        Assert.Equal(@"..\parent.vhdx", parsed["relative_path"]);
    }

    private static byte[] Filled(byte value)
    {
        var page = new byte[4096];
        Array.Fill(page, value);
        return page;
    }
}
