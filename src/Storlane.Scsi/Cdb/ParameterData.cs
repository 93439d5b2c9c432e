using System.Buffers;

namespace Storlane.Scsi;

/// <summary>
/// Returns parameter data (INQUIRY, MODE SENSE, REPORT LUNS ...) under the allocation length rule of
/// SPC-4 4.2.5.6: "The device server shall terminate transfers to the Data-In Buffer when the number
/// of bytes ... specified by the ALLOCATION LENGTH field have been transferred or when all available
/// data have been transferred, whichever is less", without changing the length fields inside.
/// </summary>
internal static class ParameterData
{
    /// <summary>Stack buffers for small replies; larger ones are rented.</summary>
    public const int StackLimit = 1024;

    /// <summary>
    /// Copies what fits into the data-in buffer. <see cref="ScsiResult.DataInLength"/> is what the
    /// device server transfers, min(allocation length, available): truncation by the allocation length
    /// is not an overflow, a data-in buffer smaller than that is (the transport reports the residual).
    /// </summary>
    public static ScsiResult Return(ScsiCommand command, ReadOnlySpan<byte> available, int allocationLength)
    {
        var transfer = Math.Min(available.Length, allocationLength);
        var destination = command.DataIn.Span;
        var copy = Math.Min(transfer, destination.Length);
        available[..copy].CopyTo(destination);
        return ScsiResult.Good(dataInLength: transfer);
    }

    /// <summary>A zeroed scratch buffer of at least <paramref name="length"/> bytes from the shared pool.</summary>
    public static byte[] Rent(int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        Array.Clear(buffer, 0, length);
        return buffer;
    }

    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
