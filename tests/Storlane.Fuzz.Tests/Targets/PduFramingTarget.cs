using System.Buffers;
using System.Buffers.Binary;
using Storlane.Fuzz.Tests.Engine;
using Storlane.Iscsi;
using Storlane.Iscsi.Initiator;
using Storlane.Iscsi.Pdu;
using Storlane.Protocol;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// <see cref="PduReader.TryReadPdu"/> over a byte stream cut into random segments, with a random
/// MaxRecvDataSegmentLength and digests on or off. Inputs are PDUs without digests; with digests on,
/// the target inserts correct ones (and now and then a wrong one), so mutants get past the CRC.
/// Rules: no exception but <see cref="IscsiProtocolException"/>; each frame's lengths are the
/// header's; and the segment cuts change nothing (the same frames, the same error).
/// </summary>
internal sealed class PduFramingTarget : FuzzTarget
{
    private static readonly int[] Limits = [512, 8192, 65536, 262144, 16777215];

    public override string Name => "pdu";

    public override IEnumerable<byte[]> BuiltInSeeds()
    {
        var nop = new byte[Bhs.Length + 8];
        InitiatorPdus.NopOut(nop, 1, Bhs.ReservedTag, 0, 1, 0);
        new Bhs(nop).DataSegmentLength = 5;
        "hello"u8.CopyTo(nop.AsSpan(Bhs.Length));
        yield return nop;

        // A SCSI command with one extended-CDB AHS (RFC 7143 11.2.2): TotalAHSLength 5 words.
        var withAhs = new byte[Bhs.Length + 20];
        InitiatorPdus.ScsiCommand(withAhs, 0, 2, 0, 1, 0, read: true, write: false, final: true, [0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x09]);
        withAhs[4] = 5;
        BinaryPrimitives.WriteUInt16BigEndian(withAhs.AsSpan(Bhs.Length), 17);
        withAhs[Bhs.Length + 2] = 1;
        yield return withAhs;
    }

    public override void Execute(byte[] input, int seed)
    {
        var random = new Random(seed);
        var options = new PduReadOptions
        {
            MaxDataSegmentLength = random.Next(8) == 0 ? random.Next(1, 1 << 24) : Limits[random.Next(Limits.Length)],
            HeaderDigest = random.Next(2) == 0,
            DataDigest = random.Next(2) == 0,
        };
        var stream = WithDigests(input, options, random);
        var whole = ReadAll(new ReadOnlySequence<byte>(stream), options);
        var split = ReadAll(Segments.SplitRandomly(stream, random), options);
        if (whole != split)
        {
            throw new FuzzAssertionException($"segment cuts changed the result: whole [{whole}] split [{split}]");
        }
    }

    /// <summary>Frames every PDU it can and describes them: offsets, lengths, digest verdicts, the end.</summary>
    private static string ReadAll(ReadOnlySequence<byte> buffer, in PduReadOptions options)
    {
        var header = new byte[Bhs.Length];
        var log = new System.Text.StringBuilder();
        try
        {
            while (PduReader.TryReadPdu(buffer, options, header, out var frame))
            {
                var bhs = new Bhs(header);
                var consumed = buffer.Slice(0, frame.End).Length;
                var expected = Bhs.Length + (bhs.TotalAhsLength * 4) + (options.HeaderDigest ? 4 : 0) + bhs.DataSegmentLength
                    + PduReader.PaddingOf(bhs.DataSegmentLength) + (options.DataDigest && bhs.DataSegmentLength > 0 ? 4 : 0);
                if (frame.Data.Length != bhs.DataSegmentLength || bhs.DataSegmentLength > options.MaxDataSegmentLength
                    || frame.AdditionalHeaders.Length != bhs.TotalAhsLength * 4 || consumed != expected)
                {
                    throw new FuzzAssertionException($"frame of {consumed} bytes, data {frame.Data.Length}, for a header that says AHS {bhs.TotalAhsLength} words and data {bhs.DataSegmentLength}");
                }

                log.Append(consumed).Append(frame.DataDigestValid ? '+' : '!').Append(Crc32C.Compute(frame.Data)).Append(' ');
                buffer = buffer.Slice(frame.End);
            }

            return log.Append("need ").Append(buffer.Length).ToString();
        }
        catch (IscsiProtocolException ex)
        {
            return log.Append("error ").Append(ex.Reason).Append(' ').Append(ex.Message).ToString();
        }
    }

    /// <summary>Re-frames digest-less PDUs with CRC32C digests where the options want them.</summary>
    private static byte[] WithDigests(byte[] input, in PduReadOptions options, Random random)
    {
        if (!options.HeaderDigest && !options.DataDigest)
        {
            return input;
        }

        var output = new List<byte>(input.Length + 64);
        var corrupt = random.Next(16) == 0;
        var position = 0;
        while (position < input.Length)
        {
            var headerEnd = Math.Min(input.Length, position + Bhs.Length);
            if (headerEnd - position < Bhs.Length)
            {
                output.AddRange(input.AsSpan(position..headerEnd));
                break;
            }

            var ahs = input[position + 4] * 4;
            var dataLength = (input[position + 5] << 16) | (input[position + 6] << 8) | input[position + 7];
            var ahsEnd = Math.Min(input.Length, headerEnd + ahs);
            output.AddRange(input.AsSpan(position..ahsEnd));
            if (options.HeaderDigest)
            {
                AddDigest(output, input.AsSpan(position..ahsEnd), corrupt && random.Next(2) == 0);
            }

            var padded = (long)dataLength + PduReader.PaddingOf(dataLength);
            var dataEnd = (int)Math.Min(input.Length, ahsEnd + padded);
            output.AddRange(input.AsSpan(ahsEnd..dataEnd));
            if (options.DataDigest && dataLength > 0)
            {
                AddDigest(output, input.AsSpan(ahsEnd..dataEnd), corrupt && random.Next(2) == 0);
            }

            position = dataEnd;
        }

        return [.. output];
    }

    private static void AddDigest(List<byte> output, ReadOnlySpan<byte> covered, bool wrong)
    {
        Span<byte> digest = stackalloc byte[4];
        Crc32C.Write(digest, Crc32C.Compute(covered) ^ (wrong ? 1u : 0u));
        output.AddRange(digest);
    }
}
