using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Storlane.Iscsi.Login;

/// <summary>
/// The text data segment of Login and Text PDUs: "key=value" pairs in UTF-8, each followed by one
/// NUL (RFC 7143 6.1). Parsing keeps pairs in order and keeps duplicates: whether a repeated key is
/// legal depends on the exchange (a SendTargets answer repeats TargetName and TargetAddress), so
/// <see cref="LoginNegotiator"/> judges repeats, not the parser.
/// </summary>
public static class TextParameters
{
    /// <summary>"A key-name ... MUST NOT exceed 63 characters." (6.1)</summary>
    public const int MaxKeyLength = 63;

    /// <summary>
    /// "If not otherwise specified, the maximum length of a simple-value (not its encoded
    /// representation) is 255 bytes, not including the delimiter (comma or zero byte)." (6.1)
    /// </summary>
    public const int MaxSimpleValueLength = 255;

    /// <summary>
    /// CHAP_C and CHAP_R: "Their binary length (not the length of the character string that
    /// represents them in encoded form) MUST NOT exceed 1024 bytes." (12.1.3) Hex is the longest
    /// encoding: "0x" and two digits a byte.
    /// </summary>
    public const int MaxChapBinaryValueLength = 2 + (2 * 1024);

    /// <summary>
    /// Keys Storlane does not know (private X- and X# extensions, other authentication methods) may
    /// carry longer values; they are answered NotUnderstood, so only a sanity bound applies. 8192 is
    /// the amount of key=value data every implementation "MUST support receiving" in a negotiation (6.1).
    /// </summary>
    public const int MaxUnknownValueLength = 8192;

    /// <summary>
    /// Parses the whole text of a request (PDUs joined by the C bit, concatenated by the caller) and
    /// appends its pairs to <paramref name="into"/>. NUL padding after the last pair is accepted.
    /// On failure returns false with a reason and leaves <paramref name="into"/> as it was. The caller
    /// bounds the total length.
    /// </summary>
    public static bool TryParse(ReadOnlySequence<byte> data, List<KeyValuePair<string, string>> into, out string? error)
    {
        if (data.IsSingleSegment)
        {
            return TryParse(data.FirstSpan, into, out error);
        }

        if (data.Length > Array.MaxLength)
        {
            error = "text is too long";
            return false;
        }

        // Login is not a hot path: one contiguous copy keeps the parser simple for pairs that span PDUs.
        var length = (int)data.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.CopyTo(buffer);
            return TryParse(buffer.AsSpan(0, length), into, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes one "key=value\0" pair in UTF-8.</summary>
    public static void Append(IBufferWriter<byte> output, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a key cannot contain '=' or NUL", nameof(key));
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a value cannot contain NUL", nameof(value));
        }

        var length = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 2;
        var span = output.GetSpan(length);
        var written = Encoding.UTF8.GetBytes(key, span);
        span[written++] = (byte)'=';
        written += Encoding.UTF8.GetBytes(value, span[written..]);
        span[written++] = 0;
        output.Advance(written);
    }

    /// <summary>Writes every pair of <paramref name="pairs"/> in order.</summary>
    public static void AppendAll(IBufferWriter<byte> output, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        for (var i = 0; i < pairs.Count; i++)
        {
            Append(output, pairs[i].Key, pairs[i].Value);
        }
    }

    /// <summary>Longest value accepted for <paramref name="key"/>, in bytes of its encoded form.</summary>
    public static int MaxValueLength(string key)
    {
        if (key is TextKeys.ChapChallenge or TextKeys.ChapResponse)
        {
            return MaxChapBinaryValueLength;
        }

        var standard = KeyTable.Contains(key)
            || key is TextKeys.AuthMethod or TextKeys.ChapAlgorithm or TextKeys.ChapIdentifier or TextKeys.ChapName;
        return standard ? MaxSimpleValueLength : MaxUnknownValueLength;
    }

    private static bool TryParse(ReadOnlySpan<byte> text, List<KeyValuePair<string, string>> into, out string? error)
    {
        var start = into.Count;
        error = Parse(text, into);
        if (error is null)
        {
            return true;
        }

        into.RemoveRange(start, into.Count - start);
        return false;
    }

    private static string? Parse(ReadOnlySpan<byte> text, List<KeyValuePair<string, string>> into)
    {
        var position = 0;
        while (position < text.Length)
        {
            var rest = text[position..];
            var end = rest.IndexOf((byte)0);
            if (end < 0)
            {
                // "Every key=value pair, including the last or only pair in a LTDS, MUST be followed
                // by one null (0x00) delimiter." (6.1)
                return $"the key=value pair at offset {position} is not NUL-terminated";
            }

            if (end == 0)
            {
                // Padding after the last pair is fine; an empty pair between pairs is not.
                return rest.ContainsAnyExcept((byte)0) ? $"empty key=value pair at offset {position}" : null;
            }

            var error = ParsePair(rest[..end], position, into);
            if (error is not null)
            {
                return error;
            }

            position += end + 1;
        }

        return null;
    }

    private static string? ParsePair(ReadOnlySpan<byte> pair, int offset, List<KeyValuePair<string, string>> into)
    {
        var equals = pair.IndexOf((byte)'=');
        if (equals < 0)
        {
            return $"pair at offset {offset} has no '='";
        }

        var keyBytes = pair[..equals];
        if (keyBytes.IsEmpty)
        {
            return $"pair at offset {offset} has an empty key";
        }

        if (keyBytes.Length > MaxKeyLength)
        {
            return $"key at offset {offset} is longer than {MaxKeyLength} bytes";
        }

        if (!IsKeyName(keyBytes))
        {
            return $"key at offset {offset} has a character outside the key-name set";
        }

        var valueBytes = pair[(equals + 1)..];
        if (!Utf8.IsValid(valueBytes))
        {
            return $"value at offset {offset} is not valid UTF-8";
        }

        var key = Encoding.ASCII.GetString(keyBytes);
        var max = MaxValueLength(key);
        if (valueBytes.Length > max)
        {
            return $"value of {key} is longer than {max} bytes";
        }

        into.Add(new(key, Encoding.UTF8.GetString(valueBytes)));
        return null;
    }

    /// <summary>
    /// key-name: "letters, digits, dot (.), minus (-), plus (+), commercial at (@), or underscore (_)"
    /// (6.1), plus '#' for the X# extension format (13.22). The capital first letter is not enforced:
    /// RFC 7144 itself defines "iSCSIProtocolLevel".
    /// </summary>
    private static bool IsKeyName(ReadOnlySpan<byte> key)
    {
        foreach (var c in key)
        {
            var ok = c is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'.' or (byte)'-' or (byte)'+' or (byte)'@' or (byte)'_' or (byte)'#';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
