using System.Text;

namespace Storlane.Nvme;

/// <summary>ASCII and NQN fields of identify and log data: left-justified, space- or zero-padded.</summary>
internal static class NvmeText
{
    /// <summary>SN, MN, FR, TRSVCID, TRADDR: "ASCII string ... padded with spaces (20h)" (NVMe base 2.0, 1.5).</summary>
    public static void WriteSpacePadded(Span<byte> field, string value)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(value.AsSpan(0, Math.Min(value.Length, field.Length)), field);
    }

    /// <summary>SUBNQN, HOSTNQN: UTF-8, null-terminated (NVMe base 2.0, 4.5).</summary>
    public static void WriteNullTerminated(Span<byte> field, string value)
    {
        field.Clear();
        var bytes = Encoding.UTF8.GetBytes(value);
        bytes.AsSpan(0, Math.Min(bytes.Length, field.Length - 1)).CopyTo(field);
    }

    /// <summary>Reads a null-terminated (or full-field) UTF-8 NQN.</summary>
    public static string ReadNullTerminated(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
