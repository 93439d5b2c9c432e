using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Storlane.Scsi;

/// <summary>Checks and encodes the identification strings of a logical unit (SPC-4 4.4.1 ASCII rules).</summary>
internal static class LogicalUnitIdentity
{
    /// <summary>The NAA 3h locally assigned designator described on <see cref="LogicalUnitOptions.NaaIdentifier"/>.</summary>
    public static ulong DeriveNaa(string targetName, ulong lun)
    {
        return DeriveNaa(targetName + "/" + lun.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The NAA 3h designator derived from <paramref name="source"/> (see <see cref="LogicalUnitOptions.IdentitySource"/>).</summary>
    public static ulong DeriveNaa(string source)
    {
        var text = source;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        var bits = BinaryPrimitives.ReadUInt64BigEndian(hash) & 0x0FFF_FFFF_FFFF_FFFFUL;
        return (0x3UL << 60) | bits;
    }

    /// <summary>
    /// SPC-4 4.4.1: ASCII fields contain only 20h..7Eh and are left-aligned, padded with spaces.
    /// </summary>
    public static byte[] PaddedAscii(string value, int width, string parameterName)
    {
        ValidateAscii(value, width, parameterName);
        var bytes = new byte[width];
        bytes.AsSpan().Fill((byte)' ');
        Encoding.ASCII.GetBytes(value, bytes);
        return bytes;
    }

    public static byte[] Ascii(string value, int maxLength, string parameterName)
    {
        ValidateAscii(value, maxLength, parameterName);
        return Encoding.ASCII.GetBytes(value);
    }

    private static void ValidateAscii(string value, int maxLength, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (value.Length > maxLength)
        {
            throw new ArgumentException($"'{value}' is longer than {maxLength} characters", parameterName);
        }

        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException($"'{value}' has a character outside printable ASCII (SPC-4 4.4.1)", parameterName);
            }
        }
    }
}
