using System.Runtime.CompilerServices;

namespace Storlane.Protocol.Scsi;

/// <summary>
/// A CDB of up to 16 bytes held inline, so an async caller can keep one across awaits without a
/// heap array. Built with <see cref="Cdbs"/>.
/// </summary>
public readonly struct ScsiCdb
{
    private readonly CdbBytes _bytes;

    public ScsiCdb(ReadOnlySpan<byte> cdb)
    {
        if (cdb.Length is 0 or > 16)
        {
            throw new ArgumentException("a CDB is 1 to 16 bytes", nameof(cdb));
        }

        var bytes = default(CdbBytes);
        cdb.CopyTo(bytes);
        _bytes = bytes;
        Length = cdb.Length;
    }

    private ScsiCdb(CdbBytes bytes, int length)
    {
        _bytes = bytes;
        Length = length;
    }

    private delegate int Builder<TState>(Span<byte> cdb, TState state);

    public int Length { get; }

    public byte Opcode => _bytes[0];

    public static ScsiCdb TestUnitReady() => Build(static (span, _) => Cdbs.TestUnitReady(span), 0);

    public static ScsiCdb Inquiry(byte? vpdPage, ushort allocationLength) =>
        Build(static (span, a) => Cdbs.Inquiry(span, a.Page, a.Allocation), (Page: vpdPage, Allocation: allocationLength));

    public static ScsiCdb ReadCapacity10() => Build(static (span, _) => Cdbs.ReadCapacity10(span), 0);

    public static ScsiCdb ReadCapacity16(uint allocationLength) => Build(static (span, a) => Cdbs.ReadCapacity16(span, a), allocationLength);

    public static ScsiCdb ReportTargetPortGroups(uint allocationLength) =>
        Build(static (span, a) => Cdbs.ReportTargetPortGroups(span, a), allocationLength);

    public static ScsiCdb Read10(uint lba, ushort blocks) => Build(static (span, a) => Cdbs.Read10(span, a.Lba, a.Blocks), (Lba: lba, Blocks: blocks));

    public static ScsiCdb Write10(uint lba, ushort blocks) => Build(static (span, a) => Cdbs.Write10(span, a.Lba, a.Blocks), (Lba: lba, Blocks: blocks));

    public static ScsiCdb Read16(ulong lba, uint blocks) => Build(static (span, a) => Cdbs.Read16(span, a.Lba, a.Blocks), (Lba: lba, Blocks: blocks));

    public static ScsiCdb Write16(ulong lba, uint blocks, bool fua) =>
        Build(static (span, a) => Cdbs.Write16(span, a.Lba, a.Blocks, a.Fua), (Lba: lba, Blocks: blocks, Fua: fua));

    public static ScsiCdb SynchronizeCache16() => Build(static (span, _) => Cdbs.SynchronizeCache16(span, 0, 0), 0);

    public static ScsiCdb Unmap(ushort parameterLength) => Build(static (span, length) => Cdbs.Unmap(span, length), parameterLength);

    public void CopyTo(Span<byte> destination) => ((ReadOnlySpan<byte>)_bytes)[..Length].CopyTo(destination);

    public byte[] ToArray()
    {
        var array = new byte[Length];
        CopyTo(array);
        return array;
    }

    private static ScsiCdb Build<TState>(Builder<TState> build, TState state)
    {
        var bytes = default(CdbBytes);
        var length = build(bytes, state);
        return new ScsiCdb(bytes, length);
    }

    [InlineArray(16)]
    private struct CdbBytes
    {
        private byte _element;
    }
}
