using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Storlane.Nvme.Tcp;

/// <summary>
/// One PDU from the peer, checked against the connection's <see cref="IPduFramingRules"/>: the header
/// copied out (<see cref="HeaderLength"/> bytes), the data still in the receive buffer (valid until
/// the reader advances).
/// </summary>
public struct ReceivedPdu
{
    public PduHeaderBytes HeaderBytes;

    public PduType Type { get; init; }

    public PduFlags Flags { get; init; }

    public int HeaderLength { get; init; }

    public int DataOffset { get; init; }

    public int Length { get; init; }

    /// <summary>The PDU data (in-capsule or H2CData payload), without digest or padding; empty when none.</summary>
    public ReadOnlySequence<byte> Data { get; init; }

    /// <summary>False when a negotiated data digest did not match: the command ends with a transport error, the connection lives.</summary>
    public bool DataDigestValid { get; init; }

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Header => ((ReadOnlySpan<byte>)HeaderBytes)[..HeaderLength];

    public readonly ushort ReadUInt16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Header[offset..]);

    public readonly uint ReadUInt32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Header[offset..]);
}
