using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Storlane.Initiator;
using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

/// <summary>The behaviour both link modes must show, written once and run by each mode's test class.</summary>
internal static class TopologyChecks
{
    /// <summary>Small enough that a 2 s transfer stays cheap on a loaded machine, large enough to dwarf the bursts.</summary>
    public const long TestRate = 200_000_000;

    public static readonly LabTopologySpec Pathing2x2 = new("pathing", 2, 2, Meshed: false, TestRate);
    public static readonly LabTopologySpec Meshing4x2 = new("meshing", 4, 2, Meshed: true, TestRate);

    /// <summary>The RAM LUN the target test serves: small, since only its geometry and one read are checked.</summary>
    private const long LunBytes = 16L * 1024 * 1024;

    private static readonly TimeSpan TransferTime = TimeSpan.FromSeconds(2);

    public static Task<ILabTopology> CreateAsync(LabTopologySpec spec, LabLinkPreference preference) =>
        LabTopologyFactory.CreateAsync(spec, preference, CancellationToken.None);

    public static async Task EveryPathEchoesFromItsNicToItsPortAsync(LabTopologySpec spec, LabLinkPreference preference)
    {
        await using var topology = await CreateAsync(spec, preference);
        Assert.Equal(spec.Meshed ? spec.ServerNics * spec.StoragePorts : spec.ServerNics, topology.Paths.Count);
        Assert.Equal(spec.StoragePorts, topology.PortalAddresses.Count);
        await using var network = LabNetwork.Listen(topology);
        foreach (var path in topology.Paths)
        {
            Assert.NotNull(path.LocalAddress);
            using var socket = await network.OpenEchoAsync(path);
            Assert.True(await LabNetwork.EchoesAsync(socket, TimeSpan.FromSeconds(10)), $"no echo over {path.Label}");
            var (portal, remote) = network.Accepted[^1];
            Assert.Equal(path.StoragePort, portal);
            Assert.Equal(IPAddress.Parse(path.LocalAddress!), remote);
        }
    }

    /// <summary>
    /// A bulk transfer never beats the shaped rate (the bucket holds it) and comes near it. The
    /// lower share is the caller's: the kernel's tbf reaches 80 %, a relay in this process shares 2
    /// cores with the rest of a test run (72 % seen in CI) and is held only to half, which still
    /// catches a relay that stalls or a bucket that refills too slowly.
    /// </summary>
    public static async Task SinglePathRateIsNearTheLinkRateAsync(LabLinkPreference preference, double lowestShare)
    {
        await using var topology = await CreateAsync(Pathing2x2, preference);
        await using var network = LabNetwork.Listen(topology);
        // The ceiling proves the shaping and holds for every transfer; the floor says the link can carry
        // its rate, so the best of up to three transfers counts: a 2 s transfer that lost the 2-core CI
        // machine's CPU for part of its time (63 % seen once, with nothing else of the run in parallel)
        // says nothing about the link.
        var best = 0.0;
        for (var attempt = 0; attempt < 3 && best < lowestShare * TestRate; attempt++)
        {
            var rate = await network.MeasureUploadAsync(topology.Paths[0], TransferTime);
            AssertWithin(rate, 0, 1.05, $"one path of {topology.Description}, transfer {attempt + 1}");
            best = Math.Max(best, rate);
        }

        AssertWithin(best, lowestShare, 1.05, $"one path of {topology.Description}, best of up to three transfers");
    }

    public static async Task TwoOneToOnePathsCarryMoreThanOneAsync(LabLinkPreference preference)
    {
        await using var topology = await CreateAsync(Pathing2x2, preference);
        await using var network = LabNetwork.Listen(topology);
        var both = await Task.WhenAll(
            network.MeasureUploadAsync(topology.Paths[0], TransferTime),
            network.MeasureUploadAsync(topology.Paths[1], TransferTime));
        var total = both[0] + both[1];
        // More than one link could ever carry, with a margin: that is the property. How much more
        // depends on the CPU left for two relays on a 2-core CI machine (213 of 400 Mbit/s seen once).
        Assert.True(total > 1.05 * TestRate, $"two 1:1 paths carried {Mbit(total)} Mbit/s together, not more than one {Mbit(TestRate)} Mbit/s link ({Mbit(both[0])} + {Mbit(both[1])})");
    }

    /// <summary>The seed's point about meshes: two NICs talking to one storage port share that port's link.</summary>
    public static async Task TwoNicsToOnePortShareThePortAsync(LabLinkPreference preference)
    {
        await using var topology = await CreateAsync(Meshing4x2, preference);
        await using var network = LabNetwork.Listen(topology);
        var nic0ToPort0 = PathOf(topology, 0, 0);
        var nic1ToPort0 = PathOf(topology, 1, 0);
        var both = await Task.WhenAll(
            network.MeasureUploadAsync(nic0ToPort0, TransferTime),
            network.MeasureUploadAsync(nic1ToPort0, TransferTime));
        // The point is the ceiling: together they get one port's rate, not two. The floor only
        // says the port is not starved; two senders on a loaded 2-core machine may not fill it.
        AssertWithin(both[0] + both[1], 0.60, 1.05, $"two NICs into port 0 of {topology.Description}");
    }

    public static async Task PullingANicBreaksItsPathsAndRestoringHealsThemAsync(LabTopologySpec spec, LabLinkPreference preference)
    {
        await using var topology = await CreateAsync(spec, preference);
        await using var network = LabNetwork.Listen(topology);
        var open = new List<(LabPath Path, Socket Socket)>();
        try
        {
            foreach (var path in topology.Paths)
            {
                open.Add((path, await network.OpenEchoAsync(path)));
            }

            await topology.SetServerNicAsync(0, up: false, CancellationToken.None);
            foreach (var (path, socket) in open)
            {
                // The pulled NIC's connections fail outright (the initiator sees the loss at once,
                // as on an OS that acts on media disconnect), not by a timeout; the others echo.
                var outcome = await LabNetwork.TryEchoAsync(socket, TimeSpan.FromSeconds(10));
                Assert.True(
                    outcome == (path.ServerNic == 0 ? EchoOutcome.Failed : EchoOutcome.Echoed),
                    $"{path.Label}: {outcome} with NIC 0 pulled");
                if (path.ServerNic == 0)
                {
                    await Assert.ThrowsAnyAsync<Exception>(() => network.ConnectAsync(path, TimeSpan.FromSeconds(3)));
                }
            }

            await topology.SetServerNicAsync(0, up: true, CancellationToken.None);
            foreach (var path in topology.Paths)
            {
                using var socket = await ConnectWithRetryAsync(network, path);
                Assert.True(await LabNetwork.EchoesAsync(socket, TimeSpan.FromSeconds(10)), $"{path.Label}: no echo after NIC 0 was restored");
            }
        }
        finally
        {
            foreach (var (_, socket) in open)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Starts `storlane serve` on the storage host with a RAM LUN and logs in over every path from the server host.</summary>
    public static async Task TargetServesEveryPathAsync(LabTopologySpec spec, LabLinkPreference preference)
    {
        var directory = Directory.CreateTempSubdirectory("storlane-lab-");
        try
        {
            await using var topology = await CreateAsync(spec, preference);
            var config = await LabTargetConfig.WriteAsync(directory.FullName, topology.PortalAddresses, [new LabLun(0, 512, 512, LunBytes)], CancellationToken.None);
            var target = await topology.StartTargetAsync(config, CancellationToken.None);
            Assert.False(target.Exited.IsCompleted, target.StandardError);
            var hosts = (ILabHostAccess)topology;
            foreach (var path in topology.Paths)
            {
                var url = path.Url(LabTargetConfig.TargetName, 0);
                await using var disk = await hosts.RunOnServerHost(() => IscsiDisk.OpenAsync(url));
                Assert.Equal(512, disk.BlockSize);
                Assert.Equal(LunBytes / 512, disk.BlockCount);
                var block = new byte[512];
                await disk.ReadAsync(0, block);
            }

            var version = await topology.StartOnServerAsync(["--version"], CancellationToken.None);
            Assert.Equal(0, await version.Exited.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("0.1.0", version.StandardOutput, StringComparison.Ordinal);

            await topology.DisposeAsync();
            Assert.True(target.Exited.IsCompleted, "the target still runs after the topology was disposed");
            Assert.False(Processes.PidIsAlive(target.Pid), $"target PID {target.Pid} still alive");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    public static LabPath PathOf(ILabTopology topology, int nic, int port)
    {
        foreach (var path in topology.Paths)
        {
            if (path.ServerNic == nic && path.StoragePort == port)
            {
                return path;
            }
        }

        throw new InvalidOperationException($"no path nic{nic}->port{port}");
    }

    private static async Task<Socket> ConnectWithRetryAsync(LabNetwork network, LabPath path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                var socket = await network.OpenEchoAsync(path);
                return socket;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static void AssertWithin(double bitsPerSecond, double low, double high, string what)
    {
        var share = bitsPerSecond / TestRate;
        Assert.True(
            share >= low && share <= high,
            $"{what}: {Mbit(bitsPerSecond)} Mbit/s is {share:P0} of the {Mbit(TestRate)} Mbit/s link, outside {low:P0}-{high:P0}");
    }

    private static string Mbit(double bitsPerSecond) => (bitsPerSecond / 1e6).ToString("0.0", CultureInfo.InvariantCulture);
}
