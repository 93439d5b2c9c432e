using System.Net;
using Storlane.Target.Portals;

namespace Storlane.Target.Tests.Portals;

public sealed class PortalPlanTests
{
    private static readonly LocalAddress[] Host =
    [
        new(IPAddress.Parse("127.0.0.1"), "lo"),
        new(IPAddress.Parse("10.0.1.5"), "eth0"),
        new(IPAddress.Parse("192.168.100.7"), "eth1"),
        new(IPAddress.Parse("fd00::7"), "eth1"),
        new(IPAddress.Parse("fe80::1"), "eth1"),
    ];

    [Fact]
    public void LiteralAddress_IsPlannedWhetherOrNotTheHostHasIt()
    {
        var plan = PortalPlan.Compute([new PortalOptions { Address = "192.0.2.9", Port = 3260 }], Host);

        Assert.Equal([new PlannedEndpoint(IPEndPoint.Parse("192.0.2.9:3260"), 0)], plan);
    }

    [Fact]
    public void Ipv4Wildcard_ExpandsToEveryIpv4AddressOfTheHost()
    {
        var plan = PortalPlan.Compute([new PortalOptions { Address = "0.0.0.0", Port = 3260 }], Host);

        Assert.Equal(["127.0.0.1:3260", "10.0.1.5:3260", "192.168.100.7:3260"], plan.Select(p => p.Endpoint.ToString()));
    }

    [Fact]
    public void WildcardWithInterface_ExpandsToThatInterfaceOnly()
    {
        var plan = PortalPlan.Compute([new PortalOptions { Address = "0.0.0.0", Interface = "eth1", Port = 3260, Group = 2 }], Host);

        Assert.Equal(["192.168.100.7:3260"], plan.Select(p => p.Endpoint.ToString()));
    }

    [Fact]
    public void Ipv6Wildcard_SkipsLinkLocalAddresses_WhichATargetAddressCannotScope()
    {
        var plan = PortalPlan.Compute([new PortalOptions { Address = "::", Port = 3260 }], Host);

        Assert.Equal(["[fd00::7]:3260"], plan.Select(p => p.Endpoint.ToString()));
    }

    [Fact]
    public void EndpointsKeepTheirPortalIndex_SoEachListenerKnowsItsGroup()
    {
        PortalOptions[] portals =
        [
            new() { Address = "127.0.0.1", Port = 3260, Group = 1 },
            new() { Address = "0.0.0.0", Interface = "eth0", Port = 3260, Group = 2 },
        ];

        var plan = PortalPlan.Compute(portals, Host);

        Assert.Equal([0, 1], plan.Select(p => p.PortalIndex));
    }
}
