using System.Buffers.Binary;
using System.Text;
using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// SBC-3 4.11.1: a sanitize operation continues after a power on or hard reset. For a unit kept in a
/// file the request is journaled beside the image (IMAGE.sanitize) before the operation starts and
/// removed once it has completed; a target started while the file is there runs the operation again
/// from its beginning, which every kind allows (an overwrite rewrites every block, a block erase
/// deallocates every block, a cryptographic erase replaces the key once more). A failed operation
/// stays journaled, so it is run again too. Format: "STLNSAN1", CDB byte 1 without IMMED (AUSE and
/// the SERVICE ACTION), the PARAMETER LIST LENGTH (2 bytes, big-endian) and the parameter list.
/// </summary>
internal sealed class SanitizeJournal(string path)
{
    private const int HeaderLength = 11;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("STLNSAN1");

    public string Path { get; } = path;

    /// <summary>Durably records a sanitize about to start (before any block changes).</summary>
    public void Record(byte request, ReadOnlySpan<byte> parameterList)
    {
        var content = new byte[HeaderLength + parameterList.Length];
        Magic.CopyTo(content, 0);
        content[Magic.Length] = request;
        BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(Magic.Length + 1), (ushort)parameterList.Length);
        parameterList.CopyTo(content.AsSpan(HeaderLength));
        DurableFile.Replace(Path, content);
    }

    /// <summary>The sanitize a stopped target left unfinished, if any.</summary>
    /// <exception cref="InvalidDataException">The file is not a sanitize journal.</exception>
    public bool TryLoad(out byte request, out byte[] parameterList)
    {
        request = 0;
        parameterList = [];
        if (!File.Exists(Path))
        {
            return false;
        }

        var content = File.ReadAllBytes(Path);
        if (content.Length < HeaderLength || !content.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt16BigEndian(content.AsSpan(Magic.Length + 1)) != content.Length - HeaderLength)
        {
            throw new InvalidDataException($"'{Path}' is not a Storlane sanitize journal ({content.Length} bytes); the sanitize it stood for cannot be resumed, so the LUN is not served. Run the SANITIZE again after removing the file");
        }

        request = content[Magic.Length];
        parameterList = content[HeaderLength..];
        return true;
    }

    /// <summary>The operation completed: nothing to resume.</summary>
    public void Clear() => DurableFile.Delete(Path);
}
