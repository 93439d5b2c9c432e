using System.Net;
using System.Net.Sockets;
using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests;

/// <summary>
/// A SIGHUP reload is all-or-nothing, portals included: a file that adds a portal and also holds a
/// change that cannot be applied live is refused whole, the refusal names that change, and the new
/// portal stays closed (the probe had seen "reload refused, portals unchanged" with the new portal
/// open). The same portal alone is applied, which shows the check below would see it open.
/// </summary>
public sealed class ReloadAllOrNothingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("SHRINK", "is smaller than the 64 MiB served")]
    [InlineData("    alias: renamed", "alias changed; needs a restart")]
    public async Task Sighup_NewPortalWithAChangeThatCannotApply_IsRefusedWhole_AndThePortalStaysClosed(string change, string named)
    {
        await using var served = await ServedTarget.StartAsync();
        var original = await File.ReadAllTextAsync(served.ConfigPath);
        var port = FreePort();
        var withPortal = original.Replace("    port: 0\n", $"    port: 0\n  - {{ address: 127.0.0.1, port: {port} }}\n", StringComparison.Ordinal);
        Assert.NotEqual(original, withPortal);

        await ReloadAsync(served, Apply(withPortal, change), "reload refused");

        Assert.Contains(named, served.Server.Log, StringComparison.Ordinal);
        Assert.False(await AcceptsAsync(port), $"the refused reload opened 127.0.0.1:{port}:\n{served.Server.Log}");
        Assert.DoesNotContain("grown to", served.Server.Log, StringComparison.Ordinal);

        // The same portal on its own is applied: the refusal above was the change, not the portal.
        await ReloadAsync(served, withPortal, "reloaded: now listening on");
        Assert.True(await AcceptsAsync(port), $"the portal-only reload did not open 127.0.0.1:{port}:\n{served.Server.Log}");
    }

    private static string Apply(string config, string change)
    {
        if (change == "SHRINK")
        {
            return config.Replace("path: lun0.img, size: 64MiB", "path: lun0.img, size: 32MiB", StringComparison.Ordinal);
        }

        if (change.StartsWith("    alias", StringComparison.Ordinal))
        {
            return config.Replace("    luns:\n", change + "\n    luns:\n", StringComparison.Ordinal);
        }

        const string lastLun = "physical-block-size: 4096 }\n";
        return config.Replace(lastLun, lastLun + "      " + change.TrimStart() + "\n", StringComparison.Ordinal);
    }

    private static async Task ReloadAsync(ServedTarget served, string config, string outcome)
    {
        var before = Count(served.Server.Log, outcome);
        await File.WriteAllTextAsync(served.ConfigPath, config);
        await CommandRunner.SignalAsync(served.Server.Pid, "HUP");
        var deadline = DateTime.UtcNow + Patience;
        while (Count(served.Server.Log, outcome) == before)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no '{outcome}' within {Patience.TotalSeconds} s of SIGHUP:\n{served.Server.Log}");
            await Task.Delay(100);
        }
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>A loopback port nothing listens on now (bound, then released).</summary>
    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
