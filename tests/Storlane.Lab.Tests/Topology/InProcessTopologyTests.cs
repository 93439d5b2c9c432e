using System.Net.Sockets;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

/// <summary>In-process links: relays on loopback with token buckets per NIC and port. Needs no root.</summary>
public sealed class InProcessTopologyTests
{
    private const LabLinkPreference InProcess = LabLinkPreference.InProcess;

    [Fact]
    public Task Pathing2x2_EveryPathEchoes_FromItsNicAddress_AtItsPort() =>
        TopologyChecks.EveryPathEchoesFromItsNicToItsPortAsync(TopologyChecks.Pathing2x2, InProcess);

    [Fact]
    public Task Meshing4x2_EveryNicPortPairIsAPath_ThatEchoes() =>
        TopologyChecks.EveryPathEchoesFromItsNicToItsPortAsync(TopologyChecks.Meshing4x2, InProcess);

    [Fact]
    public Task OnePath_BulkTransfer_RunsAt50To105PercentOfTheLinkRate() =>
        TopologyChecks.SinglePathRateIsNearTheLinkRateAsync(InProcess, lowestShare: 0.50);

    [Fact]
    public Task TwoOneToOnePaths_CarryMoreThanOneLink() =>
        TopologyChecks.TwoOneToOnePathsCarryMoreThanOneAsync(InProcess);

    [Fact]
    public Task Meshing_TwoNicsIntoOnePort_ShareThatPortsRate() =>
        TopologyChecks.TwoNicsToOnePortShareThePortAsync(InProcess);

    [Fact]
    public Task Pathing_PullingANic_BreaksItsPath_AndRestoringHealsIt() =>
        TopologyChecks.PullingANicBreaksItsPathsAndRestoringHealsThemAsync(TopologyChecks.Pathing2x2, InProcess);

    [Fact]
    public Task Meshing_PullingANic_BreaksAllItsPaths_OthersKeepWorking() =>
        TopologyChecks.PullingANicBreaksItsPathsAndRestoringHealsThemAsync(TopologyChecks.Meshing4x2, InProcess);

    [Fact]
    public Task Target_ServesTheLabLun_OverEveryPath_AndStopsWithTheTopology() =>
        TopologyChecks.TargetServesEveryPathAsync(TopologyChecks.Pathing2x2, InProcess);

    [Fact]
    public async Task Description_SaysInProcess_AndWhy()
    {
        await using var topology = await TopologyChecks.CreateAsync(TopologyChecks.Pathing2x2, InProcess);
        Assert.Equal(LabLinkMode.InProcess, topology.Mode);
        Assert.Contains("in-process", topology.Description, StringComparison.Ordinal);
        Assert.Contains("requested", topology.Description, StringComparison.Ordinal);
        Assert.Contains("200 Mbit/s", topology.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_ClosesEveryRelay_AndCutsOpenConnections()
    {
        var topology = await TopologyChecks.CreateAsync(TopologyChecks.Meshing4x2, InProcess);
        LabNetwork? network = null;
        try
        {
            network = LabNetwork.Listen(topology);
            using var open = await network.OpenEchoAsync(topology.Paths[0]);
            Assert.True(await LabNetwork.EchoesAsync(open, TimeSpan.FromSeconds(10)));
            await topology.DisposeAsync();
            Assert.False(await LabNetwork.EchoesAsync(open, TimeSpan.FromSeconds(5)), "a relayed connection survived DisposeAsync");
            foreach (var path in topology.Paths)
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(path.TargetHost, path.TargetPort));
            }
        }
        finally
        {
            await topology.DisposeAsync();
            if (network is not null)
            {
                await network.DisposeAsync();
            }
        }
    }
}
