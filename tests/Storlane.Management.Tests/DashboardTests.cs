using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Storlane.Initiator;
using Storlane.Initiator.Session;

namespace Storlane.Management.Tests;

/// <summary>
/// The dashboard: a self-contained page anyone may load (it holds no data), the stats it polls
/// behind the monitor role, and the page rendered in headless Chromium showing a live session and
/// its IOPS while Storlane's initiator reads.
/// </summary>
public partial class DashboardTests
{
    /// <summary>Set to a path (docs/images/dashboard.png) to also save a screenshot of the rendered page.</summary>
    private const string ScreenshotVariable = "STORLANE_DASHBOARD_SCREENSHOT";

    [Fact]
    public async Task Page_IsSelfContained_WithAStrictContentSecurityPolicy()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.TlsClient(token: null);
        using var response = await client.GetAsync(DashboardEndpoints.Page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
        Assert.Contains("/api/v1/stats", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_NeedMonitor_AndCarryLunAndSessionCounters()
    {
        await using var host = await ApiHost.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{host.Port}/{ApiHost.TargetName}/0");
        await disk.ReadAsync(0, new byte[4096]);
        using (var anonymous = host.TlsClient(token: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(DashboardEndpoints.Stats)).StatusCode);
        }

        using var client = host.TlsClient(ApiHost.MonitorToken);
        using var json = JsonDocument.Parse(await client.GetStringAsync(DashboardEndpoints.Stats));
        Assert.True(json.RootElement.GetProperty("timeMs").GetInt64() > 0);
        var counters = json.RootElement.GetProperty("targets")[0].GetProperty("luns")[0].GetProperty("counters");
        Assert.Equal(1, counters.GetProperty("readCommands").GetInt64());
        Assert.Equal(1, counters.GetProperty("timedCommands").GetInt64());
        Assert.True(counters.GetProperty("latencySeconds").GetDouble() > 0);
        var session = Assert.Single(json.RootElement.GetProperty("sessions").EnumerateArray());
        Assert.True(session.GetProperty("counters").GetProperty("commands").GetInt64() >= 1);
    }

    [ProgramFact(HeadlessChromium.Path, "chromium")]
    public async Task Dashboard_InHeadlessChromium_ShowsTheLiveSessionAndItsIops()
    {
        await using var host = await ApiHost.StartAsync();
        const string initiator = "iqn.2026-12.com.example:db-host-1";
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName, new IscsiSessionOptions { InitiatorName = initiator });
        using var stop = new CancellationTokenSource();
        var io = ReadUntilStoppedAsync(session, stop.Token);
        try
        {
            var url = $"https://{host.Api.TlsEndpoint}{DashboardEndpoints.Page}#token={ApiHost.MonitorToken}";
            var dom = await HeadlessChromium.RunAsync(url, TimeSpan.FromSeconds(6), "--dump-dom");

            var iops = IopsNow().Match(dom);
            Assert.True(iops.Success, "the page shows no IOPS figure:\n" + dom);
            Assert.True(double.Parse(iops.Groups[1].Value, CultureInfo.InvariantCulture) > 0, $"IOPS shown: {iops.Groups[1].Value}");
            var sessions = dom[dom.IndexOf("id=\"sessions\"", StringComparison.Ordinal)..];
            Assert.Contains($"<td class=\"num\">{session.Tsih}</td>", sessions, StringComparison.Ordinal);
            Assert.Contains(initiator, sessions, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{host.Port}", sessions, StringComparison.Ordinal);
            Assert.DoesNotContain(ApiHost.MonitorToken, dom, StringComparison.Ordinal);

            if (Environment.GetEnvironmentVariable(ScreenshotVariable) is { Length: > 0 } screenshot)
            {
                await HeadlessChromium.RunAsync(url, TimeSpan.FromSeconds(20), "--screenshot=" + Path.GetFullPath(screenshot));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await io;
        }
    }

    private static async Task ReadUntilStoppedAsync(IscsiSession session, CancellationToken stop)
    {
        var buffer = new byte[4096];
        byte[] read = [0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0];
        var lba = 0;
        while (!stop.IsCancellationRequested)
        {
            read[5] = (byte)(lba++ % 200);
            (await session.ExecuteAsync(0, read, buffer, default, CancellationToken.None)).ThrowIfFailed();
            await Task.Delay(1, CancellationToken.None);
        }
    }

    [GeneratedRegex("id=\"iops-now\" data-iops=\"([0-9.]+)\"")]
    private static partial Regex IopsNow();
}
