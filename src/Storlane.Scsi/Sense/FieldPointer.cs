namespace Storlane.Scsi;

/// <summary>
/// The field pointer form of the SENSE KEY SPECIFIC field for ILLEGAL REQUEST (SPC-4 4.5.2.4.2):
/// which byte (and optionally which bit) of the CDB or of the parameter list was wrong.
/// </summary>
/// <param name="InCdb">C/D: true when the error is in the CDB, false when in the parameter data.</param>
/// <param name="ByteIndex">FIELD POINTER: the byte in error (the most significant byte of a multi-byte field).</param>
/// <param name="BitIndex">BIT POINTER (0..7) of the leftmost bit in error, or -1 when the whole byte is meant (BPV = 0).</param>
public readonly record struct FieldPointer(bool InCdb, ushort ByteIndex, int BitIndex = -1)
{
    public static FieldPointer Cdb(int byteIndex, int bitIndex = -1) => new(true, (ushort)byteIndex, bitIndex);

    public static FieldPointer Parameter(int byteIndex, int bitIndex = -1) => new(false, (ushort)byteIndex, bitIndex);

    /// <summary>The three SENSE KEY SPECIFIC bytes with SKSV set.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var first = 0x80 | (InCdb ? 0x40 : 0);
        if (BitIndex is >= 0 and <= 7)
        {
            first |= 0x08 | BitIndex;
        }

        destination[0] = (byte)first;
        destination[1] = (byte)(ByteIndex >> 8);
        destination[2] = (byte)ByteIndex;
    }
}
