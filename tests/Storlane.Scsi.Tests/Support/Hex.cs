using System.Globalization;

namespace Storlane.Scsi.Tests;

/// <summary>Golden bytes written the way the standards draw them: hex pairs, spaces ignored.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex)
    {
        var digits = hex.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);
        var bytes = new byte[digits.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = byte.Parse(digits.AsSpan(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        return bytes;
    }

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
