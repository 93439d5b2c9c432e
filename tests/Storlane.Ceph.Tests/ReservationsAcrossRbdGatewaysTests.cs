using System.Buffers.Binary;
using Storlane.Ceph.Devices;
using Storlane.Ceph.Rados;
using Storlane.Ceph.Rbd;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Protocol.Scsi;
using Storlane.Scsi;

namespace Storlane.Ceph.Tests;

/// <summary>
/// One rbd image served by two gateways in this process (two librados clients, two target devices,
/// each its own target port) with the reservations in the cluster: SPC-4 5.12 holds across them,
/// PREEMPT on one raises the unit attention on the other, and a restarted gateway keeps them.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class ReservationsAcrossRbdGatewaysTests(CephClusterFixture fixture)
{
    private const string Target = "iqn.2025-01.dev.storlane:rbd";

    private sealed class Gateway : IAsyncDisposable
    {
        private readonly RadosCluster _cluster;
        private readonly RadosIoContext _pool;
        private readonly RadosLuSharedState _state;
        private readonly RbdBlockDevice _device;

        public Gateway(string conf, string poolName, string image, string name, bool removable = false)
        {
            _cluster = RadosCluster.Connect(new RadosConnectOptions { ConfPath = conf });
            _pool = _cluster.OpenPool(poolName);
            _device = RbdBlockDevice.Open(RbdImage.Open(_pool, image), 512, 4096);
            _state = new RadosLuSharedState(_pool, image);
            Device = new ScsiTargetDevice(Target, null) { GatewayName = name };
            Device.AddLogicalUnit(0, _device, new LogicalUnitOptions { SharedState = _state, Removable = removable });
        }

        public ScsiTargetDevice Device { get; }

        public async ValueTask DisposeAsync()
        {
            await _device.DisposeAsync();
            _state.Dispose();
            _pool.Dispose();
            _cluster.Dispose();
        }
    }

    private static ItNexus Nexus(string initiator, ushort group) =>
        new($"{initiator},i,0x00023d000001", $"{Target},t,0x{group:x4}", relativeTargetPortId: group, targetPortGroup: group);

    private readonly ItNexus _a = Nexus("iqn.2025-01.dev.storlane:host-a", 1);
    private readonly ItNexus _b = Nexus("iqn.2025-01.dev.storlane:host-b", 2);

    private static byte[] Prout(byte serviceAction, byte type = 0) => [0x5F, serviceAction, type, 0, 0, 0, 0, 0, 24, 0];

    private static byte[] Keys(ulong key, ulong serviceActionKey)
    {
        var list = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(list, key);
        BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8), serviceActionKey);
        return list;
    }

    private static async Task<(ScsiStatus Status, byte[] Sense, byte[] Data)> Run(Gateway gateway, ItNexus nexus, byte[] cdb, byte[]? dataOut = null, int dataIn = 0)
    {
        var buffer = new byte[dataIn];
        var command = new ScsiCommand { Nexus = nexus, Lun = 0, Cdb = cdb, DataIn = buffer, DataOut = dataOut ?? [] };
        var result = await gateway.Device.ExecuteAsync(command, CancellationToken.None);
        return (result.Status, command.SenseBuffer.AsSpan(0, result.SenseLength).ToArray(), buffer);
    }

    private static byte[] Write10() => [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    private static byte[] Read10() => [0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0];

    private static readonly byte[] TestUnitReady = [0, 0, 0, 0, 0, 0];

    /// <summary>MODE SELECT(6), PF = 1, of the Control page with SWP as given.</summary>
    private static byte[] ModeSelectSwp(bool swp, out byte[] list)
    {
        list = [0, 0, 0, 0, 0x0A, 0x0A, 0x02, 0x10, (byte)(swp ? 0x08 : 0x00), 0, 0, 0, 0, 0, 0, 0];
        return [0x15, 0x10, 0, 0, (byte)list.Length, 0];
    }

    private static void AssertSense(int key, int asc, int ascq, (ScsiStatus Status, byte[] Sense, byte[] Data) reply)
    {
        Assert.Equal(ScsiStatus.CheckCondition, reply.Status);
        Assert.Equal((key, asc, ascq), (reply.Sense[2] & 0x0F, (int)reply.Sense[12], (int)reply.Sense[13]));
    }

    [CephFact]
    public async Task SwpAndLogicalUnitReset_ThroughOneGateway_ReachTheOtherThroughTheCluster()
    {
        // SPC-4 7.5.8 / 7.5.1: SWP set through gateway 2 write-protects the LU at gateway 1, whose
        // nexus gets MODE PARAMETERS CHANGED; SAM-5 6.3.3: a LOGICAL UNIT RESET through gateway 1 gives
        // every nexus, gateway 2's too, BUS DEVICE RESET FUNCTION OCCURRED before the reset completes.
        var image = fixture.NewImageName("lu-state-gateways");
        RbdImage.Create(fixture.Pool, image, 8L << 20);
        var conf = fixture.Cluster.ConfPath;
        await using var one = new Gateway(conf, fixture.PoolName, image, "gw1");
        await using var two = new Gateway(conf, fixture.PoolName, image, "gw2");
        _ = await Run(one, _a, TestUnitReady);
        _ = await Run(two, _b, TestUnitReady);

        Assert.Equal(ScsiStatus.Good, (await Run(two, _b, ModeSelectSwp(true, out var list), list)).Status);
        AssertSense(0x06, 0x2A, 0x01, await Run(one, _a, TestUnitReady));
        AssertSense(0x07, 0x27, 0x00, await Run(one, _a, Write10(), new byte[512]));

        Assert.Equal(ScsiStatus.Good, (await Run(one, _a, ModeSelectSwp(false, out list), list)).Status);
        AssertSense(0x06, 0x2A, 0x01, await Run(two, _b, TestUnitReady));
        Assert.Equal(ScsiStatus.Good, (await Run(two, _b, Write10(), new byte[512])).Status);

        await one.Device.ResetLogicalUnit(0, _a);
        AssertSense(0x06, 0x29, 0x03, await Run(two, _b, TestUnitReady));
        AssertSense(0x06, 0x29, 0x03, await Run(one, _a, TestUnitReady));
        Assert.Equal(ScsiStatus.Good, (await Run(two, _b, TestUnitReady)).Status);
    }

    [CephFact]
    public async Task RemovableMedium_PreventionEjectAndLoad_HoldAcrossGateways_AndAPreventionEndsWithItsNexus()
    {
        // SBC-3 5.11 / 5.25 through two gateways: the medium and its preventions are the logical unit's.
        var image = fixture.NewImageName("medium-gateways");
        RbdImage.Create(fixture.Pool, image, 8L << 20);
        var conf = fixture.Cluster.ConfPath;
        byte[] prevent = [0x1E, 0, 0, 0, 1, 0], allow = [0x1E, 0, 0, 0, 0, 0], unload = [0x1B, 0, 0, 0, 2, 0], load = [0x1B, 0, 0, 0, 3, 0];
        var one = new Gateway(conf, fixture.PoolName, image, "gw1", removable: true);
        await using var two = new Gateway(conf, fixture.PoolName, image, "gw2", removable: true);
        try
        {
            _ = await Run(one, _a, TestUnitReady);
            _ = await Run(two, _b, TestUnitReady);

            // A prevention through gateway 1 refuses an eject through gateway 2: ILLEGAL REQUEST, MEDIUM REMOVAL PREVENTED.
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, prevent)).Status);
            AssertSense(0x05, 0x53, 0x02, await Run(two, _b, unload));

            // Allowed and ejected through gateway 1: gateway 2 reports NOT READY, MEDIUM NOT PRESENT.
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, allow)).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, unload)).Status);
            AssertSense(0x02, 0x3A, 0x00, await Run(two, _b, Read10(), dataIn: 512));

            // Loaded through gateway 2: A on gateway 1 gets NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED.
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, load)).Status);
            AssertSense(0x06, 0x28, 0x00, await Run(one, _a, TestUnitReady));
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, Read10(), dataIn: 512)).Status);

            // A's nexus ends (logout): its prevention ends on every gateway before RemoveNexus completes.
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, prevent)).Status);
            AssertSense(0x05, 0x53, 0x02, await Run(two, _b, unload));
            await one.Device.RemoveNexus(_a);
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, unload)).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, load)).Status);

            // Gateway 1 dies holding a prevention and restarts: the new process ends the preventions of
            // its earlier run's nexuses (they are gone), as it does their SPC-2 reservations.
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, prevent)).Status);
            await one.DisposeAsync();
            one = new Gateway(conf, fixture.PoolName, image, "gw1", removable: true);
            for (var i = 0; i < 200 && two.Device.FindLogicalUnit(0)!.MediumRemovalPrevented; i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, unload)).Status);
        }
        finally
        {
            await one.DisposeAsync();
        }
    }

    [CephFact]
    public async Task ReservationThroughGateway1_HoldsOnGateway2_PreemptRaisesTheUnitAttentionAtA_AndARestartKeepsIt()
    {
        var image = fixture.NewImageName("pr-gateways");
        RbdImage.Create(fixture.Pool, image, 8L << 20);
        var conf = fixture.Cluster.ConfPath;
        var one = new Gateway(conf, fixture.PoolName, image, "gw1");
        await using var two = new Gateway(conf, fixture.PoolName, image, "gw2");
        try
        {
            _ = await Run(one, _a, TestUnitReady);
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, Prout(0x00), Keys(0, 0xA))).Status);

            // Write Exclusive (1) held by A through gateway 1: B, unregistered, on gateway 2 may read, not write (table 62).
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, Prout(0x01, 0x01), Keys(0xA, 0))).Status);
            _ = await Run(two, _b, TestUnitReady);
            Assert.Equal(ScsiStatus.ReservationConflict, (await Run(two, _b, Write10(), new byte[512])).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, Read10(), dataIn: 512)).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, Write10(), new byte[512])).Status);

            // Gateway 1 restarts: the new process loads the reservation from the cluster.
            await one.DisposeAsync();
            one = new Gateway(conf, fixture.PoolName, image, "gw1");
            _ = await Run(one, _a, TestUnitReady);
            Assert.Equal(ScsiStatus.ReservationConflict, (await Run(two, _b, Write10(), new byte[512])).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(one, _a, Write10(), new byte[512])).Status);

            // B registers and preempts A's key through gateway 2 (SPC-4 5.12.11.4.3): A, on gateway 1,
            // gets REGISTRATIONS PREEMPTED (2Ah/05h) on its next command, and B holds the reservation.
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, Prout(0x00), Keys(0, 0xB))).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, Prout(0x04, 0x01), Keys(0xB, 0xA))).Status);
            var attention = await Run(one, _a, TestUnitReady);
            Assert.Equal(ScsiStatus.CheckCondition, attention.Status);
            Assert.Equal(0x06, attention.Sense[2] & 0x0F);
            Assert.Equal(0x2A, attention.Sense[12]);
            Assert.Equal(0x05, attention.Sense[13]);
            Assert.Equal(ScsiStatus.ReservationConflict, (await Run(one, _a, Write10(), new byte[512])).Status);
            Assert.Equal(ScsiStatus.Good, (await Run(two, _b, Write10(), new byte[512])).Status);
        }
        finally
        {
            await one.DisposeAsync();
        }
    }
}
