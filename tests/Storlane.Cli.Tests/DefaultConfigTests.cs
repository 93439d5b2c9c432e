using System.Net;
using Storlane.Cli.Configuration;
using Storlane.Target;

namespace Storlane.Cli.Tests;

public sealed class DefaultConfigTests
{
    private static readonly TargetServerOptions Default = ConfigLoader.LoadDefault(ConfigAssert.DataDirectory);

    [Fact]
    public void EmbeddedDefault_ParsesAndValidates()
    {
        // LoadDefault runs the same validation as a user file; reaching here means it passed.
        Assert.Contains("iqn.2026-11.io.storlane:default", ConfigLoader.DefaultYaml, StringComparison.Ordinal);
        Assert.Single(Default.Targets);
    }

    [Fact]
    public void EmbeddedDefault_TwoLoopbackPortals_InTheirOwnPortalGroups()
    {
        Assert.Collection(
            Default.Portals,
            p => Assert.Equal(("127.0.0.1", 3260, (ushort)1), (p.Address, p.Port, p.Group)),
            p => Assert.Equal(("127.0.0.2", 3260, (ushort)2), (p.Address, p.Port, p.Group)));
        Assert.All(Default.Portals, p => Assert.True(IPAddress.IsLoopback(IPAddress.Parse(p.Address))));
    }

    [Fact]
    public void EmbeddedDefault_Lun0Is512ByteSectors_Lun1Is4096_BothOneGibSparseFilesInDataDir()
    {
        var target = Assert.Single(Default.Targets);
        Assert.Equal("iqn.2026-11.io.storlane:default", target.Name);
        Assert.Empty(target.AllowedInitiators);
        Assert.Null(target.Chap);
        Assert.Collection(
            target.Luns,
            lun =>
            {
                Assert.Equal(0UL, lun.Lun);
                Assert.Equal(LunBackend.File, lun.Backend);
                Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "lun0.img"), lun.Path);
                Assert.Equal(1L << 30, lun.SizeBytes);
                Assert.Equal((512, 512), (lun.Geometry.LogicalBlockSize, lun.Geometry.PhysicalBlockSize));
                Assert.False(lun.ReadOnly);
            },
            lun =>
            {
                Assert.Equal(1UL, lun.Lun);
                Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "lun1.img"), lun.Path);
                Assert.Equal(1L << 30, lun.SizeBytes);
                Assert.Equal((4096, 4096), (lun.Geometry.LogicalBlockSize, lun.Geometry.PhysicalBlockSize));
            });
    }

    [Fact]
    public void EmbeddedDefault_ServerSettingsMatchTheDocumentedDefaults()
    {
        Assert.Equal(5, Default.NopInIntervalSeconds);
        Assert.Equal(30, Default.NopInTimeoutSeconds);
        Assert.Equal(128, Default.CommandWindow);
        Assert.Null(Default.DiscoveryChap);
    }
}
