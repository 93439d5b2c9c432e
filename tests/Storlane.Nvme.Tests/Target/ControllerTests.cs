using System.Buffers.Binary;
using System.Text;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>Discovery, Connect, properties, Identify and log pages against a running target on 127.0.0.1.</summary>
public class ControllerTests
{
    [Fact]
    public async Task Discovery_ListsTheSubsystem_OncePerIoPortal()
    {
        await using var target = await TargetFixture.StartAsync(ioPortals: 2);
        await using var host = await TestHost.OpenAsync(target.DiscoveryEndpoint);
        Assert.True((await host.ConnectAsync(NvmeTargetOptions.DiscoveryNqn)).Status.IsSuccess);
        var identify = await host.IdentifyAsync(0x01);
        Assert.Equal(2, identify[111]); // CNTRLTYPE: discovery controller

        var (completion, log) = await host.GetLogPageAsync((byte)LogPageId.Discovery, 1024 * 3);
        Assert.True(completion.Status.IsSuccess);
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(log.AsSpan(8)));
        for (var i = 0; i < 2; i++)
        {
            var entry = log.AsSpan(1024 * (i + 1), 1024);
            Assert.Equal(3, entry[0]); // TRTYPE TCP
            Assert.Equal(2, entry[2]); // SUBTYPE NVM subsystem
            Assert.Equal(TargetFixture.Nqn, Encoding.UTF8.GetString(entry.Slice(256, 256)).TrimEnd('\0'));
            Assert.Equal(target.Server.ListeningPortals[i].Endpoint.Port.ToString(), Encoding.ASCII.GetString(entry.Slice(32, 32)).Trim());
            Assert.Equal("127.0.0.1", Encoding.ASCII.GetString(entry.Slice(512, 256)).Trim());
        }
    }

    [Fact]
    public async Task IoSubsystem_IsNotServedOnTheDiscoveryPort()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.DiscoveryEndpoint);
        var completion = await host.ConnectAsync(TargetFixture.Nqn);
        Assert.Equal(NvmeStatus.ConnectInvalidParameters, completion.Status);
        Assert.Equal(256u | (1u << 16), completion.Dword0); // IATTR data, IPO SUBNQN
    }

    [Fact]
    public async Task Connect_ToAnUnknownNqn_IsConnectInvalidParameters()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.Equal(NvmeStatus.ConnectInvalidParameters, (await host.ConnectAsync("nqn.2014-08.org.example:none")).Status);
    }

    [Fact]
    public async Task CommandBeforeConnect_IsCommandSequenceError()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        var sqe = host.NewCommand((byte)AdminOpcode.KeepAlive);
        Assert.Equal(NvmeStatus.CommandSequenceError, (await host.ExecuteAsync(sqe)).Status);
    }

    [Fact]
    public async Task Properties_CapVsCsts_AndEnableSetsReady()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await host.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var cap = await host.PropertyGetAsync(ControllerProperties.Cap);
        Assert.Equal(127u, cap.Dword0 & 0xFFFF); // MQES 0's based
        Assert.Equal(1u << 5, cap.Dword1 & (1u << 5)); // CSS NVM (bit 37)
        Assert.Equal(0x00010400u, (await host.PropertyGetAsync(ControllerProperties.Version)).Dword0);
        Assert.Equal(1u, (await host.PropertyGetAsync(ControllerProperties.Status)).Dword0 & 1);

        // Shutdown: SHN 01b gives SHST 10b.
        Assert.True((await host.PropertySetAsync(ControllerProperties.Configuration, 1 | (1 << 14))).Status.IsSuccess);
        Assert.Equal(0b10u, ((await host.PropertyGetAsync(ControllerProperties.Status)).Dword0 >> 2) & 0b11);
    }

    [Fact]
    public async Task IdentifyNamespace_ReportsEachLunsBlockSize_AndIdsFromItsNaa()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await host.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);

        var controller = await host.IdentifyAsync(0x01);
        Assert.Equal(1, controller[111]); // I/O controller
        Assert.Equal(TargetFixture.Nqn, Encoding.UTF8.GetString(controller.AsSpan(768, 256)).TrimEnd('\0'));
        Assert.Equal(0b1011, controller[76]); // CMIC: multi-port, multi-controller, ANA

        var list = await host.IdentifyAsync(0x02);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(list));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(list.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(list.AsSpan(8)));

        var ns1 = await host.IdentifyAsync(0x00, 1);
        Assert.Equal(8192UL, BinaryPrimitives.ReadUInt64LittleEndian(ns1));
        Assert.Equal(9, ns1[130]); // LBADS: 512
        Assert.Equal(7, BinaryPrimitives.ReadUInt16LittleEndian(ns1.AsSpan(64))); // NPWG: 4 KiB physical
        var ns2 = await host.IdentifyAsync(0x00, 2);
        Assert.Equal(1024UL, BinaryPrimitives.ReadUInt64LittleEndian(ns2));
        Assert.Equal(12, ns2[130]); // LBADS: 4096

        // The EUI-64 is the NAA designator of VPD page 83h, byte for byte.
        var naa = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(naa, target.Device.FindLogicalUnit(0)!.NaaIdentifier);
        Assert.Equal(naa, ns1.AsSpan(120, 8).ToArray());
        Assert.Equal(naa, ns1.AsSpan(104, 8).ToArray());

        var descriptors = await host.IdentifyAsync(0x03, 1);
        Assert.Equal(1, descriptors[0]);
        Assert.Equal(8, descriptors[1]);
        Assert.Equal(naa, descriptors.AsSpan(4, 8).ToArray());
    }

    [Fact]
    public async Task IdentifyNamespace_ThatDoesNotExist_IsInvalidNamespace()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        await host.ConnectAsync(TargetFixture.Nqn);
        var sqe = host.NewCommand((byte)AdminOpcode.Identify, 9);
        Assert.Equal(NvmeStatus.InvalidNamespace, (await host.ExecuteAsync(sqe, expectDataLength: 4096)).Status);
    }

    [Fact]
    public async Task AnaLog_ReportsThePortalGroupsAluaState()
    {
        await using var target = await TargetFixture.StartAsync(ioPortals: 2);
        target.Device.SetTargetPortGroupState(2, Scsi.TargetPortGroupState.ActiveNonOptimized);
        foreach (var (portal, state) in new[] { (0, AnaState.Optimized), (1, AnaState.NonOptimized) })
        {
            await using var host = await TestHost.OpenAsync(target.Server.ListeningPortals[portal].Endpoint);
            await host.ConnectAsync(TargetFixture.Nqn);
            var (completion, log) = await host.GetLogPageAsync((byte)LogPageId.Ana, 4096);
            Assert.True(completion.Status.IsSuccess);

            // One ANA group per namespace (ANAGRPID = NSID), so a LUN taken offline can be reported alone.
            Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(log.AsSpan(8)));
            foreach (var nsid in new uint[] { 1, 2 })
            {
                var group = log.AsSpan(16 + (36 * (int)(nsid - 1)), 36);
                Assert.Equal(nsid, BinaryPrimitives.ReadUInt32LittleEndian(group));
                Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(group[4..]));
                Assert.Equal((byte)state, group[16]);
                Assert.Equal(nsid, BinaryPrimitives.ReadUInt32LittleEndian(group[32..]));
            }
        }
    }

    [Fact]
    public async Task AnaLog_ReportsALunTakenOffline_AsInaccessible_ItsNeighbourAsBefore()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        await host.ConnectAsync(TargetFixture.Nqn);
        target.Device.SetLogicalUnitOffline(1, offline: true);

        var (completion, log) = await host.GetLogPageAsync((byte)LogPageId.Ana, 4096);

        Assert.True(completion.Status.IsSuccess);
        Assert.Equal((byte)AnaState.Optimized, log[16 + 16]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(log.AsSpan(16 + 36)));
        Assert.Equal((byte)AnaState.Inaccessible, log[16 + 36 + 16]);
    }

    [Fact]
    public async Task SetFeatures_NumberOfQueues_GrantsAtMostTheLimit()
    {
        await using var target = await TargetFixture.StartAsync(new NvmeLimits { MaxIoQueues = 4 });
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        await host.ConnectAsync(TargetFixture.Nqn);
        var sqe = host.NewCommand((byte)AdminOpcode.SetFeatures);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), (uint)FeatureId.NumberOfQueues);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(44), 31 | (31 << 16));
        var completion = await host.ExecuteAsync(sqe);
        Assert.Equal(3u | (3u << 16), completion.Dword0);

        // An I/O queue beyond the grant is refused, IPO 42 (QID).
        await using var io = await TestHost.OpenAsync(target.IoEndpoint);
        var refused = await io.ConnectAsync(TargetFixture.Nqn, qid: 5, controllerId: host.ControllerId, sqsize: 127);
        Assert.Equal(NvmeStatus.ConnectInvalidParameters, refused.Status);
        Assert.Equal(42u, refused.Dword0);
    }

    [Fact]
    public async Task AsyncEventRequests_AreHeld_UpToTheLimit()
    {
        await using var target = await TargetFixture.StartAsync(new NvmeLimits { MaxAsyncEvents = 2 });
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        await host.ConnectAsync(TargetFixture.Nqn);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

        // The third is answered at once with AER Limit Exceeded; the two held send nothing.
        var third = host.NewCommand((byte)AdminOpcode.AsyncEventRequest);
        Assert.Equal(NvmeStatus.AsyncEventRequestLimitExceeded, (await host.ExecuteAsync(third)).Status);
    }

    [Fact]
    public async Task AnaChange_CompletesAHeldAer_WithTheAnaLogPage()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        await host.ConnectAsync(TargetFixture.Nqn);
        var aec = host.NewCommand((byte)AdminOpcode.SetFeatures);
        BinaryPrimitives.WriteUInt32LittleEndian(aec.AsSpan(40), (uint)FeatureId.AsyncEventConfiguration);
        BinaryPrimitives.WriteUInt32LittleEndian(aec.AsSpan(44), 1u << 11);
        Assert.True((await host.ExecuteAsync(aec)).Status.IsSuccess);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        await Task.Delay(100);
        target.Server.NotifyAnaChange();
        var completion = CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8));
        Assert.Equal((uint)LogPageId.Ana, (completion.Dword0 >> 16) & 0xFF);
    }

    [Fact]
    public async Task KeepAliveTimeout_ClosesTheControllersQueues()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await host.ConnectAsync(TargetFixture.Nqn, keepAliveMs: 1000)).Status.IsSuccess);
        Assert.True(await host.ClosedAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task KeepAlive_KeepsTheControllerAlive()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await host.ConnectAsync(TargetFixture.Nqn, keepAliveMs: 1000)).Status.IsSuccess);
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(500);
            Assert.True((await host.ExecuteAsync(host.NewCommand((byte)AdminOpcode.KeepAlive))).Status.IsSuccess);
        }
    }
}
