using System.Buffers.Binary;
using Storlane.Fuzz.Tests.Engine;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Fuzz.Tests.Targets;

/// <summary>
/// CDB decoding and dispatch: up to four commands per input through a fresh <see cref="ScsiTargetDevice"/>
/// with one LUN on a <see cref="MemoryBlockDevice"/> (512n or 4Kn). An input is a list of records
/// <c>[CDB length][CDB][Data-Out length, 2 bytes BE][Data-Out]</c>; the seed picks the Data-In
/// buffer and the I_T nexus. Rules: no exception; the status is one a device server returns to a
/// well-formed command; CHECK CONDITION carries well-formed sense (SPC-4 4.5) and GOOD none.
/// </summary>
internal sealed class CdbTarget : FuzzTarget
{
    private static readonly int[] DataInLengths = [0, 4, 8, 18, 36, 96, 252, 512, 4096, 65536];

    private static readonly ItNexus[] Nexuses =
    [
        new("iqn.1994-05.com.example:a,i,0x00023d000001", "iqn.2026-11.io.storlane:fuzz,t,0x0001", relativeTargetPortId: 1, targetPortGroup: 1),
        new("iqn.1994-05.com.example:b,i,0x00023d000002", "iqn.2026-11.io.storlane:fuzz,t,0x0002", relativeTargetPortId: 2, targetPortGroup: 2),
    ];

    public override string Name => "cdb";

    public override IEnumerable<byte[]> BuiltInSeeds()
    {
        string[] cdbs =
        [
            "000000000000", "030000001200", "120000002400", "120100002400", "120180002400", "120183010000", "1201b0003c00", "1201b1003c00",
            "1201b2000800", "1a003f00ff00", "1a0808001c00", "5a003f0000000000ffff00", "250000000000000000000000", "9e1000000000000000000000002000000000",
            "9e1200000000000000000000001800000000", "a00000000000000001000000", "a30a000000000000100000", "a30c00000000000001000000", "a30c01280000000001000000",
            "0800000108000000", "2800000000000000080000", "a8000000000000000000000800", "88000000000000000000000000080000",
            "350000000000000000000000", "910000000000000000000000000000000000", "2f0000000000000000010000", "8f000000000000000000000000010000",
            "5e0000000000000000180000", "1b0000000100", "1e0000000100", "9e1200000000000000000000001800000000", "4800000000000000000000",
        ];
        foreach (var cdb in cdbs)
        {
            yield return Record(Convert.FromHexString(cdb), []);
        }

        var block = new byte[512];
        block.AsSpan().Fill(0xa5);
        yield return Record(Convert.FromHexString("2a00000000000000010000"), block);
        yield return Record(Convert.FromHexString("4100000000000000040000"), block);
        yield return Record(Convert.FromHexString("93000000000000000000000000040000"), block);
        yield return Record(Convert.FromHexString("890000000000000000000000000001000000"), [.. block, .. block]);
        var unmap = Convert.FromHexString("0016001000000000000000000000000000000000000000000008");
        yield return Record(Convert.FromHexString("4200000000000000001800"), unmap);
        var register = new byte[24];
        register[15] = 0x11;
        yield return Record(Convert.FromHexString("5f0000000000000000001800"), register);
        yield return Record(Convert.FromHexString("150000000c00"), Convert.FromHexString("000000080000000000000200"));
    }

    public override void Execute(byte[] input, int seed)
    {
        var random = new Random(seed);
        var geometry = random.Next(2) == 0 ? new BlockGeometry(512, 512, 2048) : new BlockGeometry(4096, 4096, 256);
        var target = new ScsiTargetDevice("iqn.2026-11.io.storlane:fuzz");
        target.AddLogicalUnit(0, new MemoryBlockDevice(geometry));
        var position = 0;
        for (var commands = 0; commands < 4 && position < input.Length; commands++)
        {
            var cdbLength = Math.Min(input[position++] % 33, input.Length - position);
            var cdb = input.AsMemory(position, Math.Max(cdbLength, 0));
            position += cdb.Length;
            var outLength = position + 2 <= input.Length ? BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(position)) : 0;
            position = Math.Min(position + 2, input.Length);
            var dataOut = input.AsMemory(position, Math.Min(outLength, input.Length - position));
            position += dataOut.Length;
            var dataIn = new byte[random.Next(3) == 0 ? random.Next(70000) : DataInLengths[random.Next(DataInLengths.Length)]];
            var command = new ScsiCommand
            {
                Nexus = Nexuses[random.Next(Nexuses.Length)],
                Lun = random.Next(8) == 0 ? 1UL : 0UL,
                Cdb = cdb,
                DataIn = dataIn,
                DataOut = dataOut,
                Attribute = ScsiTaskAttribute.Simple,
            };
            var result = target.ExecuteAsync(command, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            Check(command, result);
        }
    }

    private static void Check(ScsiCommand command, ScsiResult result)
    {
        var cdb = Convert.ToHexString(command.Cdb.Span);
        // Lengths may exceed the buffers (the transport reports the residual overflow), never go negative.
        Require(result.DataInLength >= 0 && result.DataOutLength >= 0, $"CDB {cdb}: transfer lengths {result.DataInLength} in, {result.DataOutLength} out");
        switch (result.Status)
        {
            case ScsiStatus.Good or ScsiStatus.ConditionMet or ScsiStatus.ReservationConflict or ScsiStatus.Busy or ScsiStatus.TaskSetFull:
                Require(result.SenseLength == 0, $"CDB {cdb}: {result.Status} with {result.SenseLength} bytes of sense");
                break;
            case ScsiStatus.CheckCondition:
                CheckSense(cdb, command.SenseBuffer.AsSpan(0, Math.Min(result.SenseLength, ScsiCommand.SenseBufferSize)), result.SenseLength);
                break;
            default:
                throw new FuzzAssertionException($"CDB {cdb}: status {result.Status}");
        }
    }

    /// <summary>SPC-4 4.5.2 (descriptor format, 0x72/0x73) and 4.5.3 (fixed format, 0x70/0x71).</summary>
    private static void CheckSense(string cdb, ReadOnlySpan<byte> sense, int senseLength)
    {
        Require(senseLength is >= 8 and <= ScsiCommand.SenseBufferSize, $"CDB {cdb}: CHECK CONDITION with {senseLength} bytes of sense");
        var code = sense[0] & 0x7f;
        Require(code is 0x70 or 0x71 or 0x72 or 0x73, $"CDB {cdb}: sense response code 0x{code:x2}");
        Require(sense[7] + 8 == senseLength, $"CDB {cdb}: ADDITIONAL SENSE LENGTH {sense[7]} for {senseLength} bytes");
        var key = code < 0x72 ? sense[2] & 0x0f : sense[1] & 0x0f;
        Require(key != 0 && key != 0x0f, $"CDB {cdb}: CHECK CONDITION with sense key {key}");
        if (code < 0x72)
        {
            Require(senseLength >= 18, $"CDB {cdb}: fixed-format sense of {senseLength} bytes");
        }
    }

    private static byte[] Record(byte[] cdb, byte[] dataOut)
    {
        var record = new byte[1 + cdb.Length + 2 + dataOut.Length];
        record[0] = (byte)cdb.Length;
        cdb.CopyTo(record, 1);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(1 + cdb.Length), (ushort)dataOut.Length);
        dataOut.CopyTo(record, 3 + cdb.Length);
        return record;
    }

    private static void Require(bool condition, string rule)
    {
        if (!condition)
        {
            throw new FuzzAssertionException(rule);
        }
    }
}
