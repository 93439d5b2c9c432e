using Storlane.Initiator;

namespace Storlane.Management.Tests;

/// <summary>GET /metrics: the target's Meter in the Prometheus text format.</summary>
public class MetricsTests
{
    [Fact]
    public async Task Metrics_ShowPerLunCommandsAndBytes_AndConnectionsPerPortal()
    {
        await using var host = await ApiHost.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{host.Port}/{ApiHost.TargetName}/0");
        var buffer = new byte[4096];
        await disk.WriteAsync(0, buffer);
        await disk.ReadAsync(0, buffer);
        await disk.ReadAsync(8, buffer);

        using var client = host.Client(ApiHost.MonitorToken);
        var text = await client.GetStringAsync("/metrics");
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("storlane_lun_read_commands_total{", StringComparison.Ordinal) && l.Contains("lun=\"0\"", StringComparison.Ordinal) && l.Contains($"target=\"{ApiHost.TargetName}\"", StringComparison.Ordinal) && ValueOf(l) == 2);
        Assert.Contains(lines, l => l.StartsWith("storlane_lun_read_bytes_total{", StringComparison.Ordinal) && l.Contains("lun=\"0\"", StringComparison.Ordinal) && ValueOf(l) == 8192);
        Assert.Contains(lines, l => l.StartsWith("storlane_lun_write_commands_total{", StringComparison.Ordinal) && l.Contains("lun=\"0\"", StringComparison.Ordinal) && ValueOf(l) == 1);
        Assert.Contains(lines, l => l.StartsWith("storlane_portal_connections{", StringComparison.Ordinal) && l.Contains($"portal=\"127.0.0.1:{host.Port}\"", StringComparison.Ordinal) && ValueOf(l) == 1);
    }

    [Fact]
    public async Task Metrics_CountChapAndLoginFailures()
    {
        await using var host = await ApiHost.StartAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => Initiator.Session.IscsiSession.ConnectAsync("127.0.0.1", host.Port, "iqn.2026-11.io.storlane:nope"));

        using var client = host.Client(ApiHost.MonitorToken);
        var lines = (await client.GetStringAsync("/metrics")).Split('\n');
        Assert.Contains(lines, l => l.StartsWith("storlane_login_failures_total{", StringComparison.Ordinal) && l.Contains($"portal=\"127.0.0.1:{host.Port}\"", StringComparison.Ordinal) && ValueOf(l) >= 1);
    }

    /// <summary>The sample value: the first field after the labels (a timestamp may follow).</summary>
    private static double ValueOf(string line) =>
        double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
