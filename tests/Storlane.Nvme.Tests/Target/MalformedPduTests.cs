using System.Buffers.Binary;
using Storlane.Nvme.Tcp;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>A malformed PDU ends its connection with a C2HTermReq; the target and other connections carry on.</summary>
public class MalformedPduTests
{
    public static TheoryData<string, byte[], FatalErrorStatus> Cases => new()
    {
        { "bad HLEN", Header(PduType.CapsuleCmd, 0x50, 0, 0x50), FatalErrorStatus.InvalidPduHeaderField },
        { "unknown type", Header((PduType)0x0B, 24, 0, 24), FatalErrorStatus.InvalidPduHeaderField },
        { "controller-only type", Header(PduType.R2T, 24, 0, 24), FatalErrorStatus.InvalidPduHeaderField },
        { "PDO inside the header", Header(PduType.CapsuleCmd, 72, 16, 200), FatalErrorStatus.InvalidPduHeaderField },
        { "oversize in-capsule data", Header(PduType.CapsuleCmd, 72, 72, 72 + (1 << 20)), FatalErrorStatus.DataTransferLimitExceeded },
        { "second ICReq", Header(PduType.ICReq, 128, 0, 128), FatalErrorStatus.PduSequenceError },
        { "H2CData without an R2T", Header(PduType.H2CData, 24, 24, 28), FatalErrorStatus.InvalidPduHeaderField },
    };

    private static byte[] Header(PduType type, int hlen, int pdo, int plen)
    {
        var pdu = new byte[Math.Min(plen, 256)];
        pdu[0] = (byte)type;
        pdu[2] = (byte)hlen;
        pdu[3] = (byte)pdo;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)plen);
        if (type == PduType.H2CData)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(16), 4);
        }

        return pdu;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedPdu_EndsOnlyThatConnection_WithC2HTermReq(string name, byte[] pdu, FatalErrorStatus expected)
    {
        await using var target = await TargetFixture.StartAsync();
        await using var bystander = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await bystander.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);

        await using var offender = await TestHost.OpenAsync(target.IoEndpoint);
        await offender.SendRawAsync(pdu);
        var term = await offender.ReadPduAsync();
        Assert.True((PduType)term[0] == PduType.C2HTermReq, name);
        Assert.Equal((ushort)expected, BinaryPrimitives.ReadUInt16LittleEndian(term.AsSpan(8)));
        Assert.True(await offender.ClosedAsync(TimeSpan.FromSeconds(5)));

        Assert.True((await bystander.ExecuteAsync(bystander.NewCommand((byte)AdminOpcode.KeepAlive))).Status.IsSuccess);
    }

    [Fact]
    public async Task UnsupportedPfv_IsUnsupportedParameter()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint, initialize: false);
        var icreq = new byte[128];
        icreq[2] = 128;
        icreq[4] = 128;
        icreq[8] = 1; // PFV 1
        await host.SendRawAsync(icreq);
        var term = await host.ReadPduAsync();
        Assert.Equal(PduType.C2HTermReq, (PduType)term[0]);
        Assert.Equal((ushort)FatalErrorStatus.UnsupportedParameter, BinaryPrimitives.ReadUInt16LittleEndian(term.AsSpan(8)));
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(term.AsSpan(10)));
    }

    [Fact]
    public async Task MoreCommandsThanTheQueueHolds_EndTheConnection_WithPduSequenceError()
    {
        // Held AERs stay outstanding: 33 of them overrun a 32-entry admin queue (SQ flow control).
        await using var target = await TargetFixture.StartAsync(new Nvme.Target.NvmeLimits { MaxAsyncEvents = 64 });
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await host.ConnectAsync(TargetFixture.Nqn, sqsize: 31)).Status.IsSuccess);
        for (var i = 0; i < 33; i++)
        {
            await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        }

        var term = await host.ReadPduAsync();
        Assert.Equal(PduType.C2HTermReq, (PduType)term[0]);
        Assert.Equal((ushort)FatalErrorStatus.PduSequenceError, BinaryPrimitives.ReadUInt16LittleEndian(term.AsSpan(8)));
    }

    [Fact]
    public async Task SilentConnection_IsClosed_AfterTheHandshakeTimeout()
    {
        await using var target = await TargetFixture.StartAsync(new Nvme.Target.NvmeLimits { HandshakeTimeoutSeconds = 1 });
        await using var host = await TestHost.OpenAsync(target.IoEndpoint, initialize: false);
        Assert.True(await host.ClosedAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimit_AreClosedAtAccept()
    {
        await using var target = await TargetFixture.StartAsync(new Nvme.Target.NvmeLimits { MaxConnections = 2 });
        await using var first = await TestHost.OpenAsync(target.IoEndpoint);
        await using var second = await TestHost.OpenAsync(target.IoEndpoint);
        await using var third = await TestHost.OpenAsync(target.IoEndpoint, initialize: false);
        Assert.True(await third.ClosedAsync(TimeSpan.FromSeconds(5)));
    }
}
