using System.Buffers.Binary;
using Storlane.Storage;
using Storlane.Storage.Vhdx;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>A VHDX LUN reports the disk's own identity ("Page 83 Data", MS-VHDX 2.6.2.6) in VPD 0x83.</summary>
public sealed class VhdxLunIdentityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-vhdx-lun-").FullName;

    [Fact]
    public async Task VhdxLun_Vpd83NaaDesignator_IsDerivedFromTheVirtualDiskId()
    {
        var path = Path.Combine(_directory, "disk.vhdx");
        ulong expected;
        await using (var disk = VhdxBlockDevice.OpenOrCreate(path, BlockGeometry.FromSize(64 << 20, 512, 512)))
        {
            expected = disk.NaaIdentifier;
        }

        await using var target = await LoopbackTarget.StartAsync(o => o.Targets[0].Luns.Add(
            new LunOptions { Lun = 5, Backend = LunBackend.Vhdx, Path = path, SizeBytes = 64 << 20 }));
        await using var client = await target.LoginAsync();

        // INQUIRY EVPD=1 page 83h; the NAA designator is type 3h, 8 bytes (SPC-4 7.8.6.6).
        var cdb = new byte[16];
        cdb[0] = 0x12;
        cdb[1] = 0x01;
        cdb[2] = 0x83;
        cdb[4] = 0xFF;
        var result = await client.ReadAsync(cdb, 5, 255);
        Assert.Equal(0, result.Status);
        Assert.Equal(expected, FindNaa(result.Data));
    }

    private static ulong FindNaa(byte[] page)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(page.AsSpan(2));
        for (var offset = 4; offset < 4 + length; offset += 4 + page[offset + 3])
        {
            // Association 0 (the LU), designator type 3 (NAA), 8 bytes.
            if ((page[offset + 1] & 0x3F) == 0x03 && page[offset + 3] == 8)
            {
                return BinaryPrimitives.ReadUInt64BigEndian(page.AsSpan(offset + 4));
            }
        }

        throw new InvalidOperationException("no NAA designator in VPD 0x83");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
