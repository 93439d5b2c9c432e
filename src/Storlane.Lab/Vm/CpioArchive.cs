using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Storlane.Lab.Vm;

/// <summary>
/// Writes a gzip-compressed cpio archive in the "newc" format, the one the Linux kernel unpacks as
/// an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst): per entry the magic
/// 070701, thirteen 8-digit hex fields, the NUL-terminated name padded to 4 bytes, then the data
/// padded to 4 bytes; the archive ends with the entry "TRAILER!!!".
/// </summary>
public sealed class CpioArchive : IDisposable
{
    private const int ModeDirectory = 0x4000;
    private const int ModeRegular = 0x8000;
    private const int ModeSymlink = 0xA000;

    private readonly GZipStream _gzip;
    private int _inode = 1;
    private long _offset;

    public CpioArchive(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _gzip = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: false);
    }

    public void AddDirectory(string path) => Write(path, ModeDirectory | 0x1ED, []);

    public void AddFile(string path, ReadOnlySpan<byte> content, bool executable) =>
        Write(path, ModeRegular | (executable ? 0x1ED : 0x1A4), content);

    public void AddSymlink(string path, string target) => Write(path, ModeSymlink | 0x1FF, Encoding.UTF8.GetBytes(target));

    public void Dispose()
    {
        Write("TRAILER!!!", 0, []);
        _gzip.Dispose();
    }

    private void Write(string path, int mode, ReadOnlySpan<byte> content)
    {
        var name = Encoding.UTF8.GetBytes(path.TrimStart('/') + "\0");
        var header = new StringBuilder("070701", 110);
        Field(header, mode == 0 ? 0 : _inode++);
        Field(header, mode);
        Field(header, 0); // uid
        Field(header, 0); // gid
        Field(header, (mode & 0xF000) == ModeDirectory ? 2 : 1); // nlink
        Field(header, 0); // mtime
        Field(header, content.Length);
        Field(header, 0); // devmajor
        Field(header, 0); // devminor
        Field(header, 0); // rdevmajor
        Field(header, 0); // rdevminor
        Field(header, name.Length);
        Field(header, 0); // check
        Emit(Encoding.ASCII.GetBytes(header.ToString()));
        Emit(name);
        Pad();
        Emit(content);
        Pad();
    }

    private static void Field(StringBuilder header, long value) =>
        header.Append(value.ToString("X8", CultureInfo.InvariantCulture));

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _gzip.Write(bytes);
        _offset += bytes.Length;
    }

    private void Pad()
    {
        Span<byte> zeros = stackalloc byte[3];
        zeros.Clear();
        var padding = (int)((4 - (_offset % 4)) % 4);
        Emit(zeros[..padding]);
    }
}
