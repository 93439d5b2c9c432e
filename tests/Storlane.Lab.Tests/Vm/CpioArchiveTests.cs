using System.IO.Compression;
using System.Text;
using Storlane.Lab.Vm;

namespace Storlane.Lab.Tests.Vm;

/// <summary>
/// The initramfs format the kernel unpacks (Documentation/driver-api/early-userspace/buffer-format.rst):
/// "newc" entries, a 110-byte ASCII header (magic 070701 and thirteen 8-digit hex fields), the name
/// with its NUL padded to a multiple of 4 counting the header, the data padded to 4, and TRAILER!!!.
/// </summary>
public sealed class CpioArchiveTests
{
    [Fact]
    public void OneFile_HeaderFieldsNamePaddingDataAndTrailer_AreAsTheKernelReadsThem()
    {
        var bytes = Unpack(archive => archive.AddFile("/init", "hello"u8, executable: true));
        var text = Encoding.ASCII.GetString(bytes);

        Assert.StartsWith("070701", text, StringComparison.Ordinal);
        Assert.Equal(0x81ED, Field(text, 0, 1)); // S_IFREG | 0755
        Assert.Equal(1, Field(text, 0, 4));      // nlink
        Assert.Equal(5, Field(text, 0, 6));      // filesize
        Assert.Equal(5, Field(text, 0, 11));     // namesize: "init" and its NUL, leading '/' dropped
        Assert.Equal("init\0", text.Substring(110, 5));
        Assert.Equal("hello", text.Substring(116, 5)); // 110 + 5 = 115, padded to 116
        var trailer = 124;                               // 116 + 5 = 121, padded to 124
        Assert.Equal("070701", text.Substring(trailer, 6));
        Assert.Equal("TRAILER!!!\0", text.Substring(trailer + 110, 11));
        Assert.Equal(0, bytes.Length % 4);
    }

    [Fact]
    public void DirectoryAndSymlink_CarryTheirModeAndTheLinkTargetAsData()
    {
        var text = Encoding.ASCII.GetString(Unpack(archive =>
        {
            archive.AddDirectory("bin");
            archive.AddSymlink("bin/sh", "busybox");
        }));

        Assert.Equal(0x41ED, Field(text, 0, 1)); // S_IFDIR | 0755
        Assert.Equal(2, Field(text, 0, 4));
        var link = text.IndexOf("070701", 1, StringComparison.Ordinal); // 110 + "bin\0" = 114, padded to 116
        Assert.Equal(116, link);
        Assert.Equal(0, link % 4);
        Assert.Equal(0xA1FF, Field(text, link, 1)); // S_IFLNK | 0777
        Assert.Equal(7, Field(text, link, 6));
        Assert.Contains("bin/sh\0", text, StringComparison.Ordinal);
        Assert.Contains("busybox", text, StringComparison.Ordinal);
    }

    private static byte[] Unpack(Action<CpioArchive> fill)
    {
        var packed = new MemoryStream();
        using (var archive = new CpioArchive(packed))
        {
            fill(archive);
        }

        using var gzip = new GZipStream(new MemoryStream(packed.ToArray()), CompressionMode.Decompress);
        var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    /// <summary>Field <paramref name="index"/> (0 = inode) of the header at <paramref name="at"/>.</summary>
    private static int Field(string text, int at, int index) =>
        Convert.ToInt32(text.Substring(at + 6 + (8 * index), 8), 16);
}
