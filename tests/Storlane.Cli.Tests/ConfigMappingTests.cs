using Storlane.Target;

namespace Storlane.Cli.Tests;

public sealed class ConfigMappingTests
{
    [Fact]
    public void EveryKey_MapsOntoTargetServerOptions()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - address: 127.0.0.1
                port: 3261
                group: 7
              - address: "::1"
            targets:
              - name: iqn.2026-11.io.storlane:all-keys
                alias: every key
                allowed-initiators: [iqn.1994-05.com.example:host1, eui.0123456789abcdef]
                chap: { user: alice, secret: "0123456789ab" }
                mutual-chap: { user: target, secret: "ba9876543210" }
                luns:
                  - lun: 3
                    backend: memory
                    size: 64MiB
                    logical-block-size: 4096
                    read-only: true
                    removable: true
                    serial: SN-0003
                  - lun: 4
                    path: /var/lib/storlane/absolute.img
                    size: 1048576
            nop-in-interval: 0
            nop-in-timeout: 10
            command-window: 32
            discovery-chap: { user: discover, secret: "discovery-secret" }
            """);

        Assert.Collection(
            options.Portals,
            p => Assert.Equal(("127.0.0.1", 3261, (ushort)7), (p.Address, p.Port, p.Group)),
            p => Assert.Equal(("::1", 3260, (ushort)1), (p.Address, p.Port, p.Group)));
        var target = Assert.Single(options.Targets);
        Assert.Equal("every key", target.Alias);
        Assert.Equal(["iqn.1994-05.com.example:host1", "eui.0123456789abcdef"], target.AllowedInitiators);
        Assert.Equal(("alice", "0123456789ab"), (target.Chap!.User, target.Chap.Secret));
        Assert.Equal(("target", "ba9876543210"), (target.MutualChap!.User, target.MutualChap.Secret));

        var memory = target.Luns[0];
        Assert.Equal((3UL, LunBackend.Memory, 64L << 20), (memory.Lun, memory.Backend, memory.SizeBytes));
        Assert.Null(memory.Path);
        Assert.Equal((4096, 4096), (memory.LogicalBlockSize, memory.PhysicalBlockSize));
        Assert.True(memory.ReadOnly);
        Assert.True(memory.Removable);
        Assert.Equal("SN-0003", memory.Serial);

        var file = target.Luns[1];
        Assert.Equal((LunBackend.File, "/var/lib/storlane/absolute.img", 1048576L), (file.Backend, file.Path, file.SizeBytes));
        Assert.Equal((512, 512), (file.LogicalBlockSize, file.PhysicalBlockSize));
        Assert.False(file.Removable);

        Assert.Equal((0, 10, 32), (options.NopInIntervalSeconds, options.NopInTimeoutSeconds, options.CommandWindow));
        Assert.Equal("discover", options.DiscoveryChap!.User);
    }

    [Fact]
    public void Lun512e_HasPhysicalBlockSize4096_AndExponent3()
    {
        var options = ConfigAssert.Valid("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:e
                luns:
                  - { lun: 0, path: e.img, size: 1GiB, logical-block-size: 512, physical-block-size: 4096 }
            """);

        var geometry = options.Targets[0].Luns[0].Geometry;
        Assert.Equal((512, 4096, 3), (geometry.LogicalBlockSize, geometry.PhysicalBlockSize, geometry.LogicalPerPhysicalExponent));
        Assert.Equal(2097152L, geometry.BlockCount);
    }

    [Fact]
    public void OmittedKeys_TakeTheirDefaults()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - address: 127.0.0.1
            targets:
              - name: iqn.2026-11.io.storlane:minimal
                luns:
                  - lun: 0
                    path: sub/dir/minimal.img
                    size: 4KiB
            """);

        var portal = Assert.Single(options.Portals);
        Assert.Equal((3260, (ushort)1), (portal.Port, portal.Group));
        var lun = options.Targets[0].Luns[0];
        Assert.Equal((LunBackend.File, 512, 512, false, 0L), (lun.Backend, lun.LogicalBlockSize, lun.PhysicalBlockSize, lun.ReadOnly, lun.SanitizeBytesPerSecond));
        Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "sub", "dir", "minimal.img"), lun.Path);
        Assert.Equal((5, 30, 128), (options.NopInIntervalSeconds, options.NopInTimeoutSeconds, options.CommandWindow));
    }

    [Fact]
    public void Limits_MapOntoTargetLimits_AndAbsentKeysKeepTheirDefaults()
    {
        var options = ConfigAssert.Valid("""
            portals: [{ address: 127.0.0.1 }]
            targets: [{ name: "iqn.2026-11.io.storlane:l", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            limits:
              max-connections: 100
              max-connections-per-address: 8
              max-sessions-per-target: 16
              login-timeout: 0
              max-text-bytes: 32KiB
              immediate-commands: 4
              max-queued-bytes-per-connection: 4MiB
              buffer-budget: 512MiB
            """);

        var limits = options.Limits;
        Assert.Equal((100, 8, 16, 0), (limits.MaxConnections, limits.MaxConnectionsPerAddress, limits.MaxSessionsPerTarget, limits.LoginTimeoutSeconds));
        Assert.Equal((32 << 10, 4, 4L << 20, 512L << 20), (limits.MaxTextBytes, limits.ImmediateCommands, limits.MaxQueuedBytesPerConnection, limits.BufferBudgetBytes));
        var defaults = new TargetLimits();
        Assert.Equal((defaults.MaxConnectionsPerPortal, defaults.PduStallTimeoutSeconds, defaults.MaxBufferBytesPerConnection), (limits.MaxConnectionsPerPortal, limits.PduStallTimeoutSeconds, limits.MaxBufferBytesPerConnection));
    }

    [Fact]
    public void Limits_OutOfRange_NamesTheLine()
    {
        var error = ConfigAssert.SingleError("""
            portals: [{ address: 127.0.0.1 }]
            targets: [{ name: "iqn.2026-11.io.storlane:l", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            limits:
              max-text-bytes: 1KiB
            """, line: 4, column: 19);
        Assert.Contains("max-text-bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1G", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("64M", 64L << 20)]
    [InlineData("8k", 8L << 10)]
    public void LunSize_TakesBinaryUnits_With1GAs1GiB(string text, long expected)
    {
        var options = ConfigAssert.Valid($$"""
            portals: [{ address: 127.0.0.1 }]
            targets: [{ name: "iqn.2026-11.io.storlane:g", luns: [{ lun: 0, backend: memory, size: {{text}} }] }]
            """);

        Assert.Equal(expected, options.Targets[0].Luns[0].SizeBytes);
    }

    [Theory]
    [InlineData("8MiB/s", 8L << 20)]
    [InlineData("200MiB", 200L << 20)]
    [InlineData("1048576", 1L << 20)]
    public void SanitizeRate_IsBytesPerSecond_WithOrWithoutPerSecond(string text, long expected)
    {
        var options = ConfigAssert.Valid($$"""
            portals: [{ address: 127.0.0.1 }]
            targets: [{ name: "iqn.2026-11.io.storlane:s", luns: [{ lun: 0, backend: memory, size: 1MiB, sanitize-rate: {{text}} }] }]
            """);

        Assert.Equal(expected, options.Targets[0].Luns[0].SanitizeBytesPerSecond);
    }

    [Fact]
    public void LogicalBlockSize4096Alone_MakesPhysical4096()
    {
        var options = ConfigAssert.Valid("""
            portals: [{ address: 127.0.0.1 }]
            targets: [{ name: "iqn.2026-11.io.storlane:k", luns: [{ lun: 1, path: k.img, size: 8KiB, logical-block-size: 4096 }] }]
            """);

        Assert.Equal(4096, options.Targets[0].Luns[0].PhysicalBlockSize);
    }

    [Fact]
    public void PortZero_IsAllowed_ForAnEphemeralPort_AndNeverCollides()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - { address: 127.0.0.1, port: 0 }
              - { address: 127.0.0.1, port: 0 }
            targets: [{ name: "iqn.2026-11.io.storlane:p", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
            """);

        Assert.All(options.Portals, p => Assert.Equal(0, p.Port));
    }

    [Fact]
    public void SeveralTargets_EachKeepTheirLuns()
    {
        var options = ConfigAssert.Valid("""
            portals: [{ address: 127.0.0.1 }]
            targets:
              - name: iqn.2026-11.io.storlane:one
                luns: [{ lun: 0, backend: memory, size: 1MiB }]
              - name: naa.60014051234567890123456789abcdef
                luns: [{ lun: 0, backend: memory, size: 2MiB }, { lun: 1, backend: memory, size: 3MiB }]
            """);

        Assert.Equal([1, 2], options.Targets.Select(t => t.Luns.Count));
    }
}
