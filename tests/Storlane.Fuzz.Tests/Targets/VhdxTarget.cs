using Storlane.Fuzz.Tests.Engine;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// VHDX open (headers, region tables, log replay, metadata, BAT) and the checker over an image with a
/// patch. An input is <c>[image][area][offset, 3 bytes LE][bytes]</c>: the bytes overwrite the image
/// at area start + offset (areas: identifier, both headers, both region tables, metadata, BAT, log,
/// first payload block). Most runs re-seal the CRC-32C of headers, region tables and log entries
/// so mutants reach the fields behind the checksums. Rules: the open succeeds or throws
/// <see cref="InvalidDataException"/>; an opened disk reads and writes blocks the same way; the
/// checker reports problems and never throws.
/// </summary>
internal sealed class VhdxTarget : FuzzTarget
{
    private const long LogOffset = VhdxFormat.Mib;
    private const long MetadataOffset = 2L * VhdxFormat.Mib;
    private const long BatOffset = 3L * VhdxFormat.Mib;

    private static readonly long[] Areas =
    [
        0, VhdxFormat.Header1Offset, VhdxFormat.Header2Offset, VhdxFormat.RegionTable1Offset, VhdxFormat.RegionTable2Offset,
        MetadataOffset, BatOffset, LogOffset, 4L * VhdxFormat.Mib,
    ];

    public override string Name => "vhdx";

    public override IEnumerable<byte[]> BuiltInSeeds()
    {
        var images = VhdxImages.Images;
        for (var image = 0; image < images.Count; image++)
        {
            for (var area = 0; area < Areas.Length; area++)
            {
                yield return Seed(images[image], image, area, 0, area is 1 or 2 ? 128 : 256);
            }

            yield return Seed(images[image], image, 5, VhdxFormat.MetadataTableSize, 512); // the metadata items
        }

        yield return Seed(images[3], 3, 7, 0, 4096 + 64); // the log entry and its first descriptor
    }

    public override void Execute(byte[] input, int seed)
    {
        if (input.Length < 5)
        {
            return;
        }

        var random = new Random(seed);
        var imageIndex = input[0] % VhdxImages.Images.Count;
        var image = VhdxImages.Images[imageIndex];
        var offset = Areas[input[1] % Areas.Length] + (input[2] | (input[3] << 8) | (input[4] << 16));
        var writable = random.Next(2) == 0;
        var reseal = random.Next(8) != 0;
        var sectorSize = imageIndex == 1 ? 4096 : 512;
        OpenAndUse(Patched(image, offset, input, reseal, writable), sectorSize, imageIndex == 2, random);
        if (random.Next(4) == 0)
        {
            var report = new VhdxCheckReport();
            VhdxChecker.CheckAsync(Patched(image, offset, input, reseal, writable: false), null, report, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private static OverlayVhdxFile Patched(byte[] image, long offset, byte[] input, bool reseal, bool writable)
    {
        var file = new OverlayVhdxFile(image, writable);
        file.Patch(offset, input[5..]);
        if (reseal)
        {
            Reseal(file);
        }

        return file;
    }

    private static void OpenAndUse(OverlayVhdxFile file, int sectorSize, bool child, Random random)
    {
        VhdxBlockDevice device;
        try
        {
            device = VhdxImages.Open(file, sectorSize, child);
        }
        catch (InvalidDataException)
        {
            return;
        }

        try
        {
            var geometry = device.Geometry;
            var buffer = new byte[geometry.LogicalBlockSize * 2];
            for (var i = 0; i < 3; i++)
            {
                var lba = random.Next(3) == 0 ? 0 : random.NextInt64(Math.Max(1, geometry.BlockCount - 1));
                device.ReadAsync(lba, buffer).AsTask().GetAwaiter().GetResult();
                if (file.CanWrite && random.Next(2) == 0)
                {
                    device.WriteAsync(lba, buffer).AsTask().GetAwaiter().GetResult();
                }
            }

            if (file.CanWrite)
            {
                device.FlushAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (InvalidDataException)
        {
            // corruption found behind the structures the open checks (a BAT entry, a bitmap)
        }
        finally
        {
            device.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Recomputes the CRC-32C of both headers, both region tables and every log entry.</summary>
    private static void Reseal(OverlayVhdxFile file)
    {
        var section = new byte[VhdxFormat.HeaderSectionSize + VhdxFormat.Mib];
        file.ReadAsync(section, 0).AsTask().GetAwaiter().GetResult();
        foreach (var (at, size) in new[] { (VhdxFormat.Header1Offset, VhdxFormat.HeaderSize), (VhdxFormat.Header2Offset, VhdxFormat.HeaderSize), (VhdxFormat.RegionTable1Offset, VhdxFormat.RegionTableSize), (VhdxFormat.RegionTable2Offset, VhdxFormat.RegionTableSize) })
        {
            VhdxChecksum.Seal(section.AsSpan((int)at, size), 4);
        }

        for (var at = (int)LogOffset; at + VhdxFormat.LogSectorSize <= section.Length; at += VhdxFormat.LogSectorSize)
        {
            var entryLength = BitConverter.ToUInt32(section, at + 8);
            if (section.AsSpan(at, 4).SequenceEqual(VhdxFormat.LogEntrySignature) && entryLength % VhdxFormat.LogSectorSize == 0 && entryLength > 0 && at + entryLength <= section.Length)
            {
                VhdxChecksum.Seal(section.AsSpan(at, (int)entryLength), VhdxLogEntry.ChecksumOffset);
            }
        }

        file.Patch(0, section);
    }

    private static byte[] Seed(byte[] image, int imageIndex, int area, int offset, int length)
    {
        var start = Areas[area] + offset;
        var bytes = image.AsSpan((int)Math.Min(start, image.Length), (int)Math.Min(length, Math.Max(0, image.Length - start)));
        return [(byte)imageIndex, (byte)area, (byte)offset, (byte)(offset >> 8), (byte)(offset >> 16), .. bytes];
    }
}
