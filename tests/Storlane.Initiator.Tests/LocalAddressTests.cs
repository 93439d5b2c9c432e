using System.Diagnostics;
using System.Globalization;
using System.Net;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Multipath;
using Storlane.Initiator.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Initiator.Tests;

/// <summary>
/// <c>?local_address=</c> and <see cref="IscsiSessionOptions.LocalAddress"/>: the target side sees
/// each connection come from the address asked for (a relay in front of the target records the
/// source endpoint of every connection it accepts). All of 127.0.0.0/8 is loopback on Linux.
/// </summary>
public class LocalAddressTests
{
    private static string Url(int port, int lun, string localAddress) =>
        "iscsi://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/" + LoopbackTarget.DefaultName + "/"
        + lun.ToString(CultureInfo.InvariantCulture) + "?local_address=" + localAddress;

    [Fact]
    public async Task IscsiDisk_UrlLocalAddress_ConnectionComesFromThatAddress()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var relay = new LoopbackProxy(target.Port);
        await using var disk = await IscsiDisk.OpenAsync(Url(relay.Port, 0, "127.0.0.7"));
        await disk.ReadAsync(0, new byte[disk.BlockSize]);
        var client = Assert.Single(relay.Clients);
        Assert.Equal(IPAddress.Parse("127.0.0.7"), client.Address);
    }

    [Fact]
    public async Task Session_LocalAddressOption_BindsOnFirstConnectAndOnReconnect()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var relay = new LoopbackProxy(target.Port);
        var options = new IscsiSessionOptions { LocalAddress = IPAddress.Parse("127.0.0.9"), KeepaliveInterval = TimeSpan.Zero };
        var first = await IscsiSession.ConnectAsync("127.0.0.1", relay.Port, LoopbackTarget.DefaultName, options);
        first.Drop("test");
        await using var second = await first.ReconnectAsync();
        await first.DisposeAsync();
        Assert.Equal(2, relay.Clients.Count);
        Assert.All(relay.Clients, c => Assert.Equal(IPAddress.Parse("127.0.0.9"), c.Address));
    }

    [Fact]
    public async Task MultipathDisk_EachPathBindsItsOwnLocalAddress_AlsoAfterReconnect()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var relayA = new LoopbackProxy(target.Port);
        await using var relayB = new LoopbackProxy(target.SecondPort);
        await using var disk = await MultipathDisk.OpenAsync(
            [Url(relayA.Port, 0, "127.0.0.7"), Url(relayB.Port, 0, "127.0.0.8")], MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));

        relayA.ResetConnections();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (relayA.Clients.Count < 2 || disk.Paths[0].State != PathState.Active)
        {
            await disk.ReadAsync(0, new byte[disk.BlockSize], timeout.Token);
            await Task.Delay(20, timeout.Token);
        }

        Assert.All(relayA.Clients, c => Assert.Equal(IPAddress.Parse("127.0.0.7"), c.Address));
        Assert.All(relayB.Clients, c => Assert.Equal(IPAddress.Parse("127.0.0.8"), c.Address));
        Assert.NotEmpty(relayB.Clients);
    }

    [Fact]
    public async Task MultipathDisk_TwoPathsToOnePortalFromTwoSourceAddresses_HaveDistinctNamesAndCounters()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var portal = "127.0.0.1:" + target.Port.ToString(CultureInfo.InvariantCulture);
        await using var disk = await MultipathDisk.OpenAsync(
            [Url(target.Port, 0, "127.0.0.5"), Url(target.Port, 0, "127.0.0.6")], MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));

        Assert.Equal([portal + " via 127.0.0.5", portal + " via 127.0.0.6"], disk.Paths.Select(p => p.Name));

        // Round robin, one I/O at a time: each path counts its own half, and only that.
        var buffer = new byte[disk.BlockSize];
        for (var i = 0; i < 20; i++)
        {
            await disk.ReadAsync(i, buffer);
        }

        Assert.Equal([10L, 10L], disk.Paths.Select(p => p.Completed));
        Assert.Equal([10L * disk.BlockSize, 10L * disk.BlockSize], disk.Paths.Select(p => p.BytesTransferred));
    }

    [Fact]
    public async Task MultipathDisk_FailoverBetweenPathsToOnePortal_NamesEachBySourceAddress_AndCarriesItsStart()
    {
        await using var target = await LoopbackTarget.StartAsync();
        await using var disk = await MultipathDisk.OpenAsync(
            [Url(target.Port, 0, "127.0.0.5"), Url(target.Port, 0, "127.0.0.6")], MultipathDiskTests.FastOptions(PathPolicy.RoundRobin));
        var failovers = new List<(FailoverEvent Event, long ArrivedAt)>();
        disk.FailoverCompleted += e =>
        {
            var arrived = Stopwatch.GetTimestamp();
            lock (failovers)
            {
                failovers.Add((e, arrived));
            }
        };

        var runStart = Stopwatch.GetTimestamp();
        var result = await Workload.RunAsync(disk, workers: 8, TimeSpan.FromMilliseconds(900), midway: () => disk.Paths[0].Session!.Drop("test"));

        Assert.Empty(result.Errors);
        (FailoverEvent Event, long ArrivedAt) failover;
        lock (failovers)
        {
            failover = Assert.Single(failovers);
        }

        Assert.Equal(disk.Paths[0].Name, failover.Event.FromPath);
        Assert.Equal(disk.Paths[1].Name, failover.Event.ToPath);
        Assert.NotEqual(failover.Event.FromPath, failover.Event.ToPath);

        // The window began during the run, and began + duration (the first good completion on the
        // other path) is no later than the event's arrival, which may come after it.
        Assert.InRange(failover.Event.StartTimestamp, runStart, failover.ArrivedAt);
        var windowEnd = failover.Event.StartTimestamp + (failover.Event.Duration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        Assert.InRange(windowEnd, failover.Event.StartTimestamp, failover.ArrivedAt);
        await result.VerifyAsync(disk);
    }

    [Fact]
    public async Task Session_LocalAddressNotOnThisHost_FailsWithClearTransportError()
    {
        await using var target = await LoopbackTarget.StartAsync();
        var options = new IscsiSessionOptions { LocalAddress = IPAddress.Parse("192.0.2.77") };
        var error = await Assert.ThrowsAsync<IscsiTransportException>(() => IscsiSession.ConnectAsync("127.0.0.1", target.Port, LoopbackTarget.DefaultName, options));
        Assert.Contains("local address 192.0.2.77", error.Message, StringComparison.Ordinal);
    }
}
