using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>A target device with one LUN and an initiator nexus, and a way to run one CDB against it.</summary>
internal sealed class ScsiHarness
{
    public const string TargetName = "iqn.2025-01.dev.storlane:disk1";

    public ScsiHarness(IBlockDevice? device = null, LogicalUnitOptions? options = null, string? gatewayName = null)
    {
        Target = gatewayName is null ? new ScsiTargetDevice(TargetName) : new ScsiTargetDevice(TargetName) { GatewayName = gatewayName };
        Device = device ?? Memory512n();
        Unit = Target.AddLogicalUnit(0, Device, options);
    }

    public ScsiTargetDevice Target { get; }

    public IBlockDevice Device { get; }

    public LogicalUnit Unit { get; }

    public ItNexus Nexus { get; } = NewNexus();

    public static ItNexus NewNexus(string initiator = "iqn.1994-05.com.redhat:host-a", ushort portalGroup = 1) =>
        new($"{initiator},i,0x00023d000001", $"{TargetName},t,0x{portalGroup:x4}", relativeTargetPortId: portalGroup, targetPortGroup: portalGroup);

    /// <summary>2048 blocks of 512 bytes (1 MiB), 512-byte physical blocks.</summary>
    public static MemoryBlockDevice Memory512n(long blocks = 2048) => new(new BlockGeometry(512, 512, blocks));

    /// <summary>512-byte logical blocks on 4096-byte physical blocks.</summary>
    public static MemoryBlockDevice Memory512e(long blocks = 2048) => new(new BlockGeometry(512, 4096, blocks));

    public static MemoryBlockDevice Memory4Kn(long blocks = 256) => new(new BlockGeometry(4096, 4096, blocks));

    public Task<Reply> Run(string cdbHex, int dataIn = 0, byte[]? dataOut = null, ulong lun = 0, ItNexus? nexus = null) =>
        Run(Hex.Bytes(cdbHex), dataIn, dataOut, lun, nexus);

    public async Task<Reply> Run(byte[] cdb, int dataIn = 0, byte[]? dataOut = null, ulong lun = 0, ItNexus? nexus = null, ScsiTaskAttribute attribute = ScsiTaskAttribute.Simple, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[dataIn];
        var command = new ScsiCommand
        {
            Nexus = nexus ?? Nexus,
            Lun = lun,
            Cdb = cdb,
            DataIn = buffer,
            DataOut = dataOut ?? [],
            Attribute = attribute,
        };
        var result = await Target.ExecuteAsync(command, cancellationToken);
        return new Reply(result, buffer, command.SenseBuffer.AsSpan(0, result.SenseLength).ToArray());
    }

    /// <summary>Writes <paramref name="blocks"/> blocks filled with <paramref name="fill"/> at <paramref name="lba"/> with WRITE(16).</summary>
    public async Task Fill(long lba, int blocks, byte fill)
    {
        var data = new byte[blocks * Unit.Device.Geometry.LogicalBlockSize];
        data.AsSpan().Fill(fill);
        (await Run(Cdb.Write16((ulong)lba, (uint)blocks), dataOut: data)).AssertGood();
    }

    public async Task<byte[]> ReadBack(long lba, int blocks)
    {
        var reply = await Run(Cdb.Read16((ulong)lba, (uint)blocks), dataIn: blocks * Unit.Device.Geometry.LogicalBlockSize);
        reply.AssertGood();
        return reply.DataIn;
    }
}

/// <summary>What came back: status, the data-in buffer as the transport would send it, the sense bytes.</summary>
internal sealed record Reply(ScsiResult Result, byte[] DataIn, byte[] Sense)
{
    /// <summary>The bytes of data-in the command produced (DataInLength, cut to the buffer).</summary>
    public byte[] Data => DataIn[..Math.Min(Result.DataInLength, DataIn.Length)];

    public void AssertGood()
    {
        Assert.True(Result.Status == ScsiStatus.Good, $"expected GOOD, got {Result.Status} sense {Hex.Of(Sense)}");
        Assert.Equal(0, Result.SenseLength);
    }

    /// <summary>CHECK CONDITION with 18 bytes of fixed-format sense carrying this key and ASC/ASCQ.</summary>
    public void AssertSense(SenseKey key, AdditionalSense sense)
    {
        Assert.Equal(ScsiStatus.CheckCondition, Result.Status);
        Assert.Equal(18, Result.SenseLength);
        Assert.Equal(0x70, Sense[0] & 0x7F);
        Assert.Equal((key, sense), ((SenseKey)(Sense[2] & 0x0F), (AdditionalSense)((Sense[12] << 8) | Sense[13])));
    }

    /// <summary>ILLEGAL REQUEST, INVALID FIELD IN CDB with SKSV, C/D = 1 and the given field (and bit) pointer.</summary>
    public void AssertInvalidFieldInCdb(int byteIndex, int bit = -1)
    {
        AssertSense(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb);
        var expected = 0xC0 | (bit >= 0 ? 0x08 | bit : 0);
        Assert.Equal(Hex.Of([(byte)expected, (byte)(byteIndex >> 8), (byte)byteIndex]), Hex.Of(Sense.AsSpan(15, 3)));
    }
}
