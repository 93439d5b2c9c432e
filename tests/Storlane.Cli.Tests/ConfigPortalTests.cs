namespace Storlane.Cli.Tests;

/// <summary>Portal entries: literal addresses, wildcards that follow the host's addresses, and interface filters.</summary>
public sealed class ConfigPortalTests
{
    private const string Target = """
        targets:
          - name: iqn.2026-11.io.storlane:p
            luns: [{ lun: 0, backend: memory, size: 1MiB }]
        """;

    [Fact]
    public void InterfaceAlone_MeansEveryIpv4AddressOfThatInterface()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - interface: eth1
                group: 2
            """ + "\n" + Target);

        var portal = Assert.Single(options.Portals);
        Assert.Equal(("0.0.0.0", "eth1", 3260, (ushort)2), (portal.Address, portal.Interface, portal.Port, portal.Group));
        Assert.True(portal.IsWildcard);
    }

    [Fact]
    public void InterfaceWithIpv6Wildcard_IsAccepted()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - { address: "::", interface: eth1 }
            """ + "\n" + Target);

        Assert.Equal("::", Assert.Single(options.Portals).Address);
    }

    [Fact]
    public void InterfaceWithALiteralAddress_IsRefusedAtTheInterfaceKey()
    {
        var error = ConfigAssert.SingleError("""
            portals:
              - { address: 10.0.0.5, interface: eth1 }
            """ + "\n" + Target, 2, 37);

        Assert.Contains("use it with address 0.0.0.0 or ::", error.Message, StringComparison.Ordinal);
    }
}
