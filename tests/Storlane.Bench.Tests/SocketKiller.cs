using System.Diagnostics;
using System.Globalization;

namespace Storlane.Bench.Tests;

/// <summary>
/// Kills established TCP connections the way a failing NIC or a firewall reset would, with
/// <c>ss -K</c> (iproute2; needs root and a kernel with CONFIG_INET_DIAG_DESTROY): both ends of
/// every connection to one portal get ECONNABORTED, while the portal keeps listening.
/// </summary>
internal static class SocketKiller
{
    /// <summary>Why tests that kill connections cannot run here, or null when they can.</summary>
    public static string? SkipReason { get; } = Environment.UserName != "root"
        ? "skipped: killing TCP connections with 'ss -K' needs root"
        : !File.Exists("/usr/bin/ss") && !File.Exists("/bin/ss") ? "skipped: ss (iproute2) is not installed" : null;

    /// <summary>Kills every connection to or from <paramref name="address"/>:<paramref name="port"/>; returns how many sockets ss reported killed.</summary>
    public static async Task<int> KillAsync(string address, int port)
    {
        // One invocation for both ends, so a path that reconnects at once is not killed twice.
        var filter = string.Create(CultureInfo.InvariantCulture, $"( dst {address} and dport = :{port} ) or ( src {address} and sport = :{port} )");
        return await RunSsAsync("-K", "-t", filter);
    }

    private static async Task<int> RunSsAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("ss") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ss did not start");
        try
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);

            // ss prints a header and then one line per socket it killed.
            return Math.Max(0, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}

/// <summary>A test that kills TCP connections: skipped, with the reason, when it cannot (not root, no ss).</summary>
internal sealed class SocketKillFactAttribute : FactAttribute
{
    public SocketKillFactAttribute()
    {
        Skip = SocketKiller.SkipReason;
    }
}
