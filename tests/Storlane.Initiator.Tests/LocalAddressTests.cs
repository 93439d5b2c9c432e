using System.Globalization;
using System.Net;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Multipath;
using Storlane.Initiator.Tests.Support;

namespace Storlane.Initiator.Tests;

/// <summary>
/// <c>?local_address=</c> and <see cref="IscsiSessionOptions.LocalAddress"/>: the target side sees
/// each connection come from the address asked for (a relay in front of the target records the
/// source endpoint of every connection it accepts). All of 127.0.0.0/8 is loopback on Linux.
/// </summary>
public class LocalAddressTests
{
    private static string Url(int port, int lun, string localAddress) =>
        "iscsi://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/" + LocalTarget.TargetName + "/"
        + lun.ToString(CultureInfo.InvariantCulture) + "?local_address=" + localAddress;

    [Fact]
    public async Task IscsiDisk_UrlLocalAddress_ConnectionComesFromThatAddress()
    {
        await using var target = await LocalTarget.StartAsync();
        await using var relay = new LoopbackProxy(target.Port);
        await using var disk = await IscsiDisk.OpenAsync(Url(relay.Port, 0, "127.0.0.7"));
        await disk.ReadAsync(0, new byte[disk.BlockSize]);
        var client = Assert.Single(relay.Clients);
        Assert.Equal(IPAddress.Parse("127.0.0.7"), client.Address);
    }

    [Fact]
    public async Task Session_LocalAddressOption_BindsOnFirstConnectAndOnReconnect()
    {
        await using var target = await LocalTarget.StartAsync();
        await using var relay = new LoopbackProxy(target.Port);
        var options = new IscsiSessionOptions { LocalAddress = IPAddress.Parse("127.0.0.9"), KeepaliveInterval = TimeSpan.Zero };
        var first = await IscsiSession.ConnectAsync("127.0.0.1", relay.Port, LocalTarget.TargetName, options);
        first.Drop("test");
        await using var second = await first.ReconnectAsync();
        await first.DisposeAsync();
        Assert.Equal(2, relay.Clients.Count);
        Assert.All(relay.Clients, c => Assert.Equal(IPAddress.Parse("127.0.0.9"), c.Address));
    }

    [Fact]
    public async Task MultipathDisk_EachPathBindsItsOwnLocalAddress_AlsoAfterReconnect()
    {
        await using var target = await LocalTarget.StartAsync();
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
    public async Task Session_LocalAddressNotOnThisHost_FailsWithClearTransportError()
    {
        await using var target = await LocalTarget.StartAsync();
        var options = new IscsiSessionOptions { LocalAddress = IPAddress.Parse("192.0.2.77") };
        var error = await Assert.ThrowsAsync<IscsiTransportException>(() => IscsiSession.ConnectAsync("127.0.0.1", target.Port, LocalTarget.TargetName, options));
        Assert.Contains("local address 192.0.2.77", error.Message, StringComparison.Ordinal);
    }
}
