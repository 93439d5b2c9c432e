using Storlane.Initiator.Nvme;

namespace Storlane.Initiator.Tests.Nvme;

public sealed class NvmeUrlTests
{
    [Fact]
    public void Parse_HostPortNqnNsid()
    {
        var url = NvmeUrl.Parse("nvme+tcp://127.0.0.2:4421/nqn.2014-08.org.storlane:iqn.2026-11.io.storlane:default/2");
        Assert.Equal("127.0.0.2", url.Host);
        Assert.Equal(4421, url.Port);
        Assert.Equal("nqn.2014-08.org.storlane:iqn.2026-11.io.storlane:default", url.SubsystemNqn);
        Assert.Equal(2u, url.Nsid);
        Assert.Equal("127.0.0.2:4421", url.Portal);
    }

    [Fact]
    public void Parse_DefaultsPort4420_Ipv6InBrackets_QueryOptions_RoundTrip()
    {
        var url = NvmeUrl.Parse("nvme+tcp://[::1]/nqn.2014-08.org.example:disk/1?hdgst=1&ddgst=1&queues=2&hostnqn=nqn.2014-08.org.example:host");
        Assert.Equal("::1", url.Host);
        Assert.Equal(NvmeUrl.DefaultPort, url.Port);
        Assert.True(url.HeaderDigest);
        Assert.True(url.DataDigest);
        Assert.Equal(2, url.IoQueues);
        Assert.Equal("nqn.2014-08.org.example:host", url.HostNqn);
        Assert.Equal(url, NvmeUrl.Parse(url.ToString()));
        var options = url.Apply(new NvmeHostOptions());
        Assert.True(options.HeaderDigest && options.DataDigest);
        Assert.Equal(2, options.IoQueues);
    }

    [Fact]
    public void Parse_WithoutNsid_NamesOnlyTheSubsystem()
    {
        var url = NvmeUrl.Parse("nvme+tcp://host.example/nqn.2014-08.org.example:disk");
        Assert.Null(url.Nsid);
        Assert.Equal("nqn.2014-08.org.example:disk", url.SubsystemNqn);
    }

    [Theory]
    [InlineData("iscsi://127.0.0.1/iqn.2026-11.x:y/0", "not an NVMe/TCP URL")]
    [InlineData("nvme+tcp://127.0.0.1", "names no subsystem NQN")]
    [InlineData("nvme+tcp://127.0.0.1/iqn.2026-11.x:y/1", "is not an NQN")]
    [InlineData("nvme+tcp://127.0.0.1/nqn.2014-08.org.example:d/0", "namespace ID '0'")]
    [InlineData("nvme+tcp://127.0.0.1/nqn.2014-08.org.example:d/x", "namespace ID 'x'")]
    [InlineData("nvme+tcp://127.0.0.1:70000/nqn.2014-08.org.example:d/1", "port '70000'")]
    [InlineData("nvme+tcp://[::1/nqn.2014-08.org.example:d/1", "closing ']'")]
    [InlineData("nvme+tcp://127.0.0.1/nqn.2014-08.org.example:d/1?hdgst=yes", "hdgst takes 0 or 1")]
    [InlineData("nvme+tcp://127.0.0.1/nqn.2014-08.org.example:d/1?queues=0", "queues takes 1 to 64")]
    [InlineData("nvme+tcp://127.0.0.1/nqn.2014-08.org.example:d/1?color=red", "unknown query key 'color'")]
    public void Parse_BadUrl_SaysWhy(string text, string reason)
    {
        Assert.False(NvmeUrl.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => NvmeUrl.Parse(text));
    }
}
