using System.Diagnostics;
using Storlane.Lab.Topology;
using Storlane.Lab.Topology.InProcess;
using Storlane.Lab.Topology.Namespaces;

namespace Storlane.Lab.Tests.Topology;

public sealed class TopologyUnitTests
{
    [Fact]
    public void LabPathUrl_NamesTargetAndLun_AndBindsToTheLocalAddress()
    {
        var path = new LabPath(1, 0, "10.200.0.1", 3260, "10.200.0.2");
        Assert.Equal("iscsi://10.200.0.1:3260/iqn.2026-11.io.storlane:lab/3?local_address=10.200.0.2", path.Url("iqn.2026-11.io.storlane:lab", 3));
        Assert.Equal("iscsi://127.0.0.1:3301/iqn.x/0", (path with { TargetHost = "127.0.0.1", TargetPort = 3301, LocalAddress = null }).Url("iqn.x", 0));
        Assert.Equal("nic1->port0", path.Label);
    }

    [Fact]
    public void LabPathUrl_IsAcceptedByTheInitiatorsUrlParser()
    {
        var url = Storlane.Initiator.IscsiUrl.Parse(new LabPath(0, 0, "10.201.0.1", 3260, "10.201.0.101").Url("iqn.2026-11.io.storlane:lab", 1));
        Assert.Equal("10.201.0.1", url.Host);
        Assert.Equal(1, url.Lun);
        Assert.Equal("10.201.0.101", url.LocalAddress!.ToString());
    }

    [Theory]
    [InlineData(2, 3, false, "pathing wires NIC i to port i")]
    [InlineData(0, 1, true, "ServerNics must be 1")]
    [InlineData(1, 17, true, "StoragePorts must be 1")]
    public void Spec_ThatCannotBeBuilt_IsRejectedWithAClearMessage(int nics, int ports, bool meshed, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new LabTopologySpec("x", nics, ports, meshed).Validate());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_RejectsABadSpec_BeforeBuildingAnything()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => LabTopologyFactory.CreateAsync(new LabTopologySpec("x", 2, 1, false), LabLinkPreference.InProcess, CancellationToken.None));
    }

    [Theory]
    [InlineData(1_000_000_000L, "1 Gbit/s")]
    [InlineData(10_000_000_000L, "10 Gbit/s")]
    [InlineData(200_000_000L, "200 Mbit/s")]
    [InlineData(1_500_000L, "1.5 Mbit/s")]
    public void LinkRate_IsWrittenAsPeopleWriteIt(long bits, string text) => Assert.Equal(text, LinkRate.Format(bits));

    [Fact]
    public void NamespacePlan_Pathing_PutsEachPairOnItsOwnSubnet()
    {
        var plan = new NamespacePlan(new LabTopologySpec("p", 2, 2, false), 4242, 7);
        Assert.Equal(["slab4242n7c", "slab4242n7s"], plan.Namespaces);
        Assert.Equal(["10.200.0.1:3260", "10.200.1.1:3260"], plan.PortalAddresses);
        Assert.Equal([new LabPath(0, 0, "10.200.0.1", 3260, "10.200.0.2"), new LabPath(1, 1, "10.200.1.1", 3260, "10.200.1.2")], plan.Paths);
        Assert.All(plan.Nics, nic => Assert.True(nic.Name.Length <= 15));
    }

    [Fact]
    public void NamespacePlan_Meshing_PutsEveryNicAndPortOnOneSubnet_WithEveryPairAPath()
    {
        var plan = new NamespacePlan(new LabTopologySpec("m", 4, 2, true), 4242, 0);
        Assert.Equal("slab4242n0w", plan.SwitchNamespace);
        Assert.Equal(8, plan.Paths.Count);
        Assert.All(plan.Nics, nic => Assert.Equal("10.201.0.0/24", nic.Subnet));
        Assert.All(plan.Ports, port => Assert.Equal("10.201.0.0/24", port.Subnet));
        Assert.Equal(new LabPath(3, 1, "10.201.0.2", 3260, "10.201.0.104"), plan.Paths[7]);
    }

    [Theory]
    [InlineData("slab4242n0c", 4242)]
    [InlineData("slab1n12w", 1)]
    [InlineData("slab4242n0x", null)]
    [InlineData("slabn0c", null)]
    [InlineData("other", null)]
    [InlineData("slab12n3", null)]
    public void OwnerPid_IsReadFromLabNamespaceNamesOnly(string name, int? pid) => Assert.Equal(pid, NamespacePlan.OwnerPid(name));

    [Fact]
    public void NamesIn_ReadsIpNetnsList()
    {
        Assert.Equal(["slab1n0c", "plain"], LeftoverSweeper.NamesIn("slab1n0c (id: 3)\nplain\n"));
    }

    [Fact]
    public void Tbf_BurstHoldsAWholeGsoPacket_AndScalesWithTheRate()
    {
        var slow = TbfSettings.For(200_000_000);
        var fast = TbfSettings.For(10_000_000_000);
        Assert.True(slow.BurstBytes >= 65_536 + 1514);
        Assert.Equal(2_500_000, fast.BurstBytes);
        Assert.True(fast.LimitBytes >= 2 * fast.BurstBytes);
        Assert.Equal(["tbf", "rate", "200000000bit", "burst", slow.BurstBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "limit", slow.LimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)], slow.Arguments);
    }

    [Fact]
    public void TokenBucket_LetsABurstThrough_ThenSpacesChunksAtTheRate()
    {
        // 8 Mbit/s = 1 MB/s: a 64 KiB chunk takes 65.536 ms of link time; the burst is 64 KiB.
        var bucket = new TokenBucket(8_000_000);
        var now = Stopwatch.Frequency * 100;
        Assert.True(bucket.Reserve(65_536, now) <= 0, "the first chunk fits the burst");
        var wait = bucket.Reserve(65_536, now);
        Assert.InRange(wait * 1000.0 / Stopwatch.Frequency, 65.0, 66.1);
        Assert.True(bucket.Reserve(1000, now + Stopwatch.Frequency) <= 0, "an idle second refills the bucket");
    }

    [Fact]
    public void TokenBucket_IdleTimeIsNotSaved_BeyondTheBurst()
    {
        var bucket = new TokenBucket(8_000_000);
        var later = Stopwatch.Frequency * 1000;
        Assert.True(bucket.Reserve(65_536, later) <= 0);
        Assert.True(bucket.Reserve(65_536, later) > 0, "a long idle period must not let more than the burst through at once");
    }
}
