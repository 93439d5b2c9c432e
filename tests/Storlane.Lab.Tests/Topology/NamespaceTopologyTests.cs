using System.Diagnostics;
using System.Text.Json;
using Storlane.Lab.Processes;
using Storlane.Lab.Topology;
using Storlane.Lab.Topology.Namespaces;

namespace Storlane.Lab.Tests.Topology;

/// <summary>Network namespaces with veth pairs, a bridge and tc tbf. Needs root and iproute2 (CI has both).</summary>
public sealed class NamespaceTopologyTests
{
    private const LabLinkPreference Namespaces = LabLinkPreference.Namespaces;

    [NamespaceFact]
    public Task Pathing2x2_EveryPathEchoes_FromItsNicAddress_AtItsPort() =>
        TopologyChecks.EveryPathEchoesFromItsNicToItsPortAsync(TopologyChecks.Pathing2x2, Namespaces);

    [NamespaceFact]
    public Task Meshing4x2_EveryNicPortPairIsAPath_ThatEchoes() =>
        TopologyChecks.EveryPathEchoesFromItsNicToItsPortAsync(TopologyChecks.Meshing4x2, Namespaces);

    [NamespaceFact]
    public Task OnePath_BulkTransfer_RunsAt80To105PercentOfTheLinkRate() =>
        TopologyChecks.SinglePathRateIsNearTheLinkRateAsync(Namespaces, lowestShare: 0.80);

    [NamespaceFact]
    public Task TwoOneToOnePaths_CarryMoreThanOneLink() =>
        TopologyChecks.TwoOneToOnePathsCarryMoreThanOneAsync(Namespaces);

    [NamespaceFact]
    public Task Meshing_TwoNicsIntoOnePort_ShareThatPortsRate() =>
        TopologyChecks.TwoNicsToOnePortShareThePortAsync(Namespaces);

    [NamespaceFact]
    public Task Pathing_PullingANic_BreaksItsPath_AndRestoringHealsIt() =>
        TopologyChecks.PullingANicBreaksItsPathsAndRestoringHealsThemAsync(TopologyChecks.Pathing2x2, Namespaces);

    [NamespaceFact]
    public Task Meshing_PullingANic_BreaksAllItsPaths_OthersKeepWorking() =>
        TopologyChecks.PullingANicBreaksItsPathsAndRestoringHealsThemAsync(TopologyChecks.Meshing4x2, Namespaces);

    [NamespaceFact]
    public Task Target_ServesTheLabLun_OverEveryPath_AndStopsWithTheTopology() =>
        TopologyChecks.TargetServesEveryPathAsync(TopologyChecks.Meshing4x2, Namespaces);

    /// <summary>Without policy routing a socket bound to NIC 2's address would leave through NIC 0 (the first route to the subnet).</summary>
    [NamespaceFact]
    public async Task Meshing_TrafficBoundToANicAddress_LeavesThroughThatNic()
    {
        await using var topology = await TopologyChecks.CreateAsync(TopologyChecks.Meshing4x2, Namespaces);
        var plan = ((NamespaceTopology)topology).Plan;
        await using var network = LabNetwork.Listen(topology);
        foreach (var nic in new[] { 2, 3, 0 })
        {
            var before = await TransmittedBytesAsync(plan);
            await network.MeasureUploadAsync(TopologyChecks.PathOf(topology, nic, 1), TimeSpan.FromMilliseconds(300));
            var after = await TransmittedBytesAsync(plan);
            for (var i = 0; i < before.Length; i++)
            {
                var sent = after[i] - before[i];
                if (i == nic)
                {
                    Assert.True(sent > 1_000_000, $"nic{i} sent only {sent} bytes of the transfer bound to its address");
                }
                else
                {
                    Assert.True(sent < 100_000, $"nic{i} sent {sent} bytes of a transfer bound to nic{nic}'s address");
                }
            }
        }
    }

    [NamespaceFact]
    public async Task Description_SaysNamespaces_AndTheRate()
    {
        await using var topology = await TopologyChecks.CreateAsync(TopologyChecks.Pathing2x2, LabLinkPreference.Auto);
        Assert.Equal(LabLinkMode.Namespaces, topology.Mode);
        Assert.Contains("network namespaces", topology.Description, StringComparison.Ordinal);
        Assert.Contains("tbf 200 Mbit/s", topology.Description, StringComparison.Ordinal);
    }

    [NamespaceFact]
    public async Task Dispose_RemovesEveryNamespace_AndLeavesTheHostsLinksAsTheyWere()
    {
        var linksBefore = HostLinks();
        var topology = await TopologyChecks.CreateAsync(TopologyChecks.Meshing4x2, Namespaces);
        var names = ((NamespaceTopology)topology).Plan.Namespaces;
        Assert.All(names, name => Assert.Contains(name, NamespaceNames()));
        await topology.DisposeAsync();
        var left = NamespaceNames();
        Assert.All(names, name => Assert.DoesNotContain(name, left));
        Assert.Equal(linksBefore, HostLinks());
        await topology.DisposeAsync();
    }

    [NamespaceFact]
    public async Task SetupFailure_RemovesWhatWasAlreadyBuilt()
    {
        var linksBefore = HostLinks();
        var namesBefore = NamespaceNames();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => NamespaceTopology.CreateAsync(
            TopologyChecks.Meshing4x2,
            StorlaneExecutable.Resolve(),
            step =>
            {
                if (step == "cable nic2")
                {
                    throw new InvalidOperationException("injected failure at " + step);
                }
            },
            CancellationToken.None));
        Assert.Contains("cable nic2", failure.Message, StringComparison.Ordinal);
        Assert.Equal(namesBefore, NamespaceNames());
        Assert.Equal(linksBefore, HostLinks());
    }

    /// <summary>What the Ctrl-C/SIGTERM handler runs for each live topology.</summary>
    [NamespaceFact]
    public async Task EmergencyCleanup_RemovesTheNamespaces_AndDisposeAfterwardsIsHarmless()
    {
        var topology = await TopologyChecks.CreateAsync(TopologyChecks.Pathing2x2, Namespaces);
        var names = ((NamespaceTopology)topology).Plan.Namespaces;
        ((IEmergencyCleanup)topology).CleanupNow();
        var left = NamespaceNames();
        Assert.All(names, name => Assert.DoesNotContain(name, left));
        await topology.DisposeAsync();
    }

    [NamespaceFact]
    public async Task Create_SweepsLeftoversOfDeadRuns_WithTheirProcesses_AndKeepsLiveRuns()
    {
        var deadPid = Processes.UnusedPid();
        var dead = $"slab{deadPid}n0s";
        var live = $"slab{Environment.ProcessId}n99999s";
        await HostCommand.RunAsync("ip", ["netns", "add", dead], CancellationToken.None);
        await HostCommand.RunAsync("ip", ["netns", "add", live], CancellationToken.None);
        using var orphan = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", dead, "sleep", "60"]))!;
        try
        {
            await WaitUntilAsync(() => HostCommand.Run("ip", ["netns", "pids", dead]).Trim().Length > 0);
            await using (await TopologyChecks.CreateAsync(TopologyChecks.Pathing2x2, Namespaces))
            {
                var names = NamespaceNames();
                Assert.DoesNotContain(dead, names);
                Assert.Contains(live, names);
            }

            Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(10)), "the process left in a dead run's namespace was not killed");
        }
        finally
        {
            LeftoverSweeper.Remove(dead);
            LeftoverSweeper.Remove(live);
            if (!orphan.HasExited)
            {
                orphan.Kill();
            }
        }
    }

    private static List<string> NamespaceNames() => [.. LeftoverSweeper.NamesIn(HostCommand.Run("ip", ["netns", "list"]))];

    /// <summary>The root namespace's interface names: the lab creates its links inside its namespaces only.</summary>
    private static List<string> HostLinks()
    {
        var names = new List<string>();
        using var json = JsonDocument.Parse(HostCommand.Run("ip", ["-j", "link", "show"]));
        foreach (var link in json.RootElement.EnumerateArray())
        {
            names.Add(link.GetProperty("ifname").GetString()!);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static async Task<long[]> TransmittedBytesAsync(NamespacePlan plan)
    {
        var bytes = new long[plan.Nics.Count];
        for (var i = 0; i < bytes.Length; i++)
        {
            var output = await HostCommand.RunAsync("ip", ["-n", plan.ServerNamespace, "-s", "-j", "link", "show", "dev", plan.Nics[i].Name], CancellationToken.None);
            using var json = JsonDocument.Parse(output);
            bytes[i] = json.RootElement[0].GetProperty("stats64").GetProperty("tx").GetProperty("bytes").GetInt64();
        }

        return bytes;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(50);
        }
    }
}
