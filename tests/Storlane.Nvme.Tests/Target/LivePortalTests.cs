using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// Portals changed live: a new portal's I/O port takes connections, a removed one's stops, the
/// Discovery Log Page lists what listens now with a new GENCTR, and a connected discovery controller
/// that enabled it gets the Discovery Log Page Change notice (AER DW0 0070F002h, NVMe over Fabrics 1.1, 5.4.4).
/// </summary>
public class LivePortalTests
{
    [Fact]
    public async Task PortalAdded_ListensAndIsDiscovered_AndTheDiscoveryControllerHearsOfIt()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var discovery = await ConnectDiscoveryWithNoticesAsync(target);
        var (_, before) = await discovery.GetLogPageAsync((byte)LogPageId.Discovery, 1024 * 4);
        var generation = BinaryPrimitives.ReadUInt64LittleEndian(before);
        await discovery.SendCapsuleAsync(discovery.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

        var portals = new List<NvmePortal>(target.Server.Options.Portals) { new("127.0.0.2", 0, 2, false) };
        Assert.Empty(target.Server.UpdatePortals(portals));

        var notice = CompletionEntry.Read((await discovery.ReadPduAsync()).AsSpan(8));
        Assert.Equal(0x0070_F002u, notice.Dword0);
        var added = target.Server.ListeningPortals.Single(p => p.Endpoint.Address.ToString() == "127.0.0.2").Endpoint;
        var (_, log) = await DiscoveryLogAsync(discovery, retainEvent: false);
        Assert.True(BinaryPrimitives.ReadUInt64LittleEndian(log) > generation);
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(log.AsSpan(8)));
        var entry = log.AsSpan(2048, 1024);
        Assert.Equal("127.0.0.2", Encoding.ASCII.GetString(entry.Slice(512, 256)).Trim());
        Assert.Equal(added.Port.ToString(), Encoding.ASCII.GetString(entry.Slice(32, 32)).Trim());
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(entry[4..])); // PORTID: the portal group

        await using (var host = await TestHost.OpenAsync(added))
        {
            Assert.True((await host.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
            Assert.Equal(512, 1 << (await host.IdentifyAsync(0x00, 1))[128 + 2]); // LBAF0 LBADS
        }

        // Removed: no new connection, gone from the log, and (RAE was cleared) the notice comes again.
        await discovery.SendCapsuleAsync(discovery.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        Assert.Empty(target.Server.UpdatePortals(target.Server.Options.Portals));
        Assert.Equal(0x0070_F002u, CompletionEntry.Read((await discovery.ReadPduAsync()).AsSpan(8)).Dword0);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await (await TestHost.OpenAsync(added, initialize: false)).DisposeAsync());
        var (_, after) = await DiscoveryLogAsync(discovery, retainEvent: false);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(after.AsSpan(8)));
    }

    [Fact]
    public async Task SamePortals_ChangeNothing_AndTellNoOne()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var discovery = await ConnectDiscoveryWithNoticesAsync(target);
        await discovery.SendCapsuleAsync(discovery.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        var listening = target.Server.ListeningPortals;

        Assert.Empty(target.Server.UpdatePortals(target.Server.Options.Portals));

        Assert.Equal(listening, target.Server.ListeningPortals);
        await LiveNamespaceTests.AssertNoNoticeAsync(discovery);
    }

    [Fact]
    public async Task DiscoveryController_AdvertisesDiscoveryLogChangeNotices()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var discovery = await TestHost.OpenAsync(target.DiscoveryEndpoint);
        await discovery.ConnectAsync(NvmeTargetOptions.DiscoveryNqn);
        var identify = await discovery.IdentifyAsync(0x01);
        Assert.Equal(AsyncEvents.DiscoveryLogChangeNotices, BinaryPrimitives.ReadUInt32LittleEndian(identify.AsSpan(92))); // OAES bit 31
    }

    private static async Task<TestHost> ConnectDiscoveryWithNoticesAsync(TargetFixture target)
    {
        var host = await TestHost.OpenAsync(target.DiscoveryEndpoint);
        Assert.True((await host.ConnectAsync(NvmeTargetOptions.DiscoveryNqn)).Status.IsSuccess);
        var aec = host.NewCommand((byte)AdminOpcode.SetFeatures);
        BinaryPrimitives.WriteUInt32LittleEndian(aec.AsSpan(40), (uint)FeatureId.AsyncEventConfiguration);
        BinaryPrimitives.WriteUInt32LittleEndian(aec.AsSpan(44), AsyncEvents.DiscoveryLogChangeNotices);
        Assert.True((await host.ExecuteAsync(aec)).Status.IsSuccess);
        return host;
    }

    /// <summary>Get Log Page 70h with RAE as asked.</summary>
    private static async Task<(CompletionEntry Completion, byte[] Page)> DiscoveryLogAsync(TestHost host, bool retainEvent)
    {
        const int Length = 1024 * 4;
        var sqe = host.NewCommand((byte)AdminOpcode.GetLogPage);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), (uint)LogPageId.Discovery | (retainEvent ? 1u << 15 : 0) | ((uint)((Length / 4) - 1) << 16));
        var result = await host.ExecuteWithDataAsync(sqe, expectDataLength: Length);
        Assert.True(result.Completion.Status.IsSuccess, result.Completion.Status.ToString());
        return result;
    }
}
