using System.Globalization;
using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests;

/// <summary>
/// A real `storlane serve` in a network namespace this test creates, discovered by libiscsi's
/// iscsi-ls from inside it: an address added to a NIC after the start is served and reported by
/// SendTargets within seconds, a removed one disappears, and SIGHUP applies a new portal list, all
/// without a restart (the seed's Windows target needed a reboot to see new NIC addresses).
/// </summary>
public sealed class LivePortalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [RootToolFact("iscsi-ls", "ip")]
    public async Task WildcardPortal_FollowsAddressesAddedAndRemovedLive_AndSighupReloadsPortals()
    {
        var ns = "slportal" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var work = Directory.CreateTempSubdirectory("storlane-live-portal-").FullName;
        var config = Path.Combine(work, "storlane.yaml");
        await File.WriteAllTextAsync(config, Config(extraPortal: false));
        await Ip("netns", "add", ns);
        try
        {
            await Ip("-n", ns, "link", "set", "lo", "up");
            // A NIC inside the namespace (veth: this kernel has no dummy driver).
            await Ip("-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
            await Ip("-n", ns, "link", "set", "d0", "up");
            await Ip("-n", ns, "link", "set", "d1", "up");
            await using var server = await StorlaneServer.StartAsync(config, work, work, ["ip", "netns", "exec", ns]);

            Assert.DoesNotContain("10.77.0.1", await DiscoverAsync(ns));

            await Ip("-n", ns, "address", "add", "10.77.0.1/24", "dev", "d0");
            await EventuallyAsync(ns, text => text.Contains("Portal:10.77.0.1:3260,1", StringComparison.Ordinal), "the new address is served and reported", server);

            await Ip("-n", ns, "address", "del", "10.77.0.1/24", "dev", "d0");
            await EventuallyAsync(ns, text => !text.Contains("10.77.0.1", StringComparison.Ordinal), "the removed address is no longer reported", server);

            await File.WriteAllTextAsync(config, Config(extraPortal: true));
            await CommandRunner.SignalAsync(server.Pid, "HUP");
            await EventuallyAsync(ns, text => text.Contains("Portal:127.0.0.1:3262,2", StringComparison.Ordinal), "SIGHUP added the portal from the file", server);

            Assert.Equal(0, await server.StopAsync());
        }
        finally
        {
            await CommandRunner.RunAsync("ip", ["netns", "del", ns]);
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Config(bool extraPortal) => $$"""
        portals:
          - address: 0.0.0.0
            port: 3260
            group: 1
          - address: 127.0.0.1
            port: 3261
            group: 2
        {{(extraPortal ? "  - { address: 127.0.0.1, port: 3262, group: 2 }" : "")}}
        targets:
          - name: iqn.2026-11.io.storlane:live
            luns:
              - { lun: 0, backend: memory, size: 1MiB }
        nop-in-interval: 0
        """;

    private static async Task<string> DiscoverAsync(string ns)
    {
        var result = await CommandRunner.RunAsync("ip", ["netns", "exec", ns, "iscsi-ls", "iscsi://127.0.0.1:3261"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Output;
    }

    private static async Task EventuallyAsync(string ns, Func<string, bool> condition, string what, StorlaneServer server)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await DiscoverAsync(ns);
            if (condition(last))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{what}: not within {Patience.TotalSeconds} s. Last SendTargets:\n{last}\nserver log:\n{server.Log}");
    }

    private static async Task Ip(params string[] arguments)
    {
        var result = await CommandRunner.RunAsync("ip", arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
