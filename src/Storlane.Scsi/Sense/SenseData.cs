using System.Buffers.Binary;
using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>One sense condition and its two wire formats (SPC-4 4.5).</summary>
/// <param name="Progress">
/// PROGRESS INDICATION of the SENSE KEY SPECIFIC field (SPC-4 4.5.2.4.4), a fraction of 65536, for
/// NOT READY conditions of an operation under way (a SANITIZE); ignored when a field pointer is set.
/// </param>
internal readonly record struct SenseData(SenseKey Key, AdditionalSense Sense, FieldPointer? FieldPointer = null, long? Information = null, ushort? Progress = null)
{
    public const int FixedLength = 18;

    public static SenseData NoSense => new(SenseKey.NoSense, AdditionalSense.NoAdditionalSenseInformation);

    /// <summary>
    /// SPC-4 4.5.3 fixed format: RESPONSE CODE 70h (current), SENSE KEY in byte 2, INFORMATION in
    /// bytes 3..6 (VALID bit when set), ADDITIONAL SENSE LENGTH 10, ASC/ASCQ in bytes 12/13 and the
    /// SENSE KEY SPECIFIC field in bytes 15..17. Returns the 18 bytes written.
    /// </summary>
    public int WriteFixed(Span<byte> destination)
    {
        var sense = destination[..FixedLength];
        sense.Clear();
        sense[0] = 0x70;
        sense[2] = (byte)Key;
        if (Information is { } information)
        {
            sense[0] |= 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(sense[3..], (uint)information);
        }

        sense[7] = FixedLength - 8;
        sense[12] = Sense.Asc();
        sense[13] = Sense.Ascq();
        WriteSenseKeySpecific(sense[15..]);
        return FixedLength;
    }

    /// <summary>
    /// SPC-4 4.5.2 descriptor format: RESPONSE CODE 72h, then an Information descriptor (type 00h)
    /// and a sense key specific descriptor (type 02h) when there is something to put in them.
    /// </summary>
    public int WriteDescriptor(Span<byte> destination)
    {
        var length = 8 + (Information.HasValue ? 12 : 0) + (HasSenseKeySpecific ? 8 : 0);
        var sense = destination[..length];
        sense.Clear();
        sense[0] = 0x72;
        sense[1] = (byte)Key;
        sense[2] = Sense.Asc();
        sense[3] = Sense.Ascq();
        sense[7] = (byte)(length - 8);
        var offset = 8;
        if (Information is { } information)
        {
            // SPC-4 4.5.2.2: descriptor type 00h, ADDITIONAL LENGTH 0Ah, VALID = 1, 8-byte INFORMATION.
            sense[offset] = 0x00;
            sense[offset + 1] = 0x0A;
            sense[offset + 2] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(sense[(offset + 4)..], (ulong)information);
            offset += 12;
        }

        if (HasSenseKeySpecific)
        {
            // SPC-4 4.5.2.4: descriptor type 02h, ADDITIONAL LENGTH 06h, then the three SKS bytes.
            sense[offset] = 0x02;
            sense[offset + 1] = 0x06;
            WriteSenseKeySpecific(sense[(offset + 4)..]);
        }

        return length;
    }

    private bool HasSenseKeySpecific => FieldPointer.HasValue || Progress.HasValue;

    /// <summary>The three SENSE KEY SPECIFIC bytes (SKSV = 1): a field pointer, else a progress indication.</summary>
    private void WriteSenseKeySpecific(Span<byte> destination)
    {
        if (FieldPointer is { } pointer)
        {
            pointer.WriteTo(destination);
        }
        else if (Progress is { } progress)
        {
            destination[0] = 0x80;
            BinaryPrimitives.WriteUInt16BigEndian(destination[1..], progress);
        }
    }
}
