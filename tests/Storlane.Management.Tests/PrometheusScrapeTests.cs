using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Storlane.Initiator;

namespace Storlane.Management.Tests;

/// <summary>
/// A real Prometheus server (Debian's /usr/bin/prometheus) scrapes the API's TLS listener with a
/// monitor bearer token (insecure_skip_verify: the test certificate is self-signed), and its query
/// API returns a LUN's read rate above zero while Storlane's initiator reads from that LUN.
/// </summary>
public class PrometheusScrapeTests
{
    private const string PrometheusPath = "/usr/bin/prometheus";

    [ProgramFact(PrometheusPath, "prometheus")]
    public async Task Prometheus_ScrapesOverTls_AndReturnsALunsReadRateWhileIoRuns()
    {
        await using var host = await ApiHost.StartAsync();
        var folder = Directory.CreateTempSubdirectory("storlane-prometheus-").FullName;
        var webPort = FreeLoopbackPort();
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: storlane
                scheme: https
                tls_config:
                  insecure_skip_verify: true
                authorization:
                  type: Bearer
                  credentials: {ApiHost.MonitorToken}
                static_configs:
                  - targets: ['{host.Api.TlsEndpoint}']
            """);

        using var prometheus = Process.Start(new ProcessStartInfo(PrometheusPath)
        {
            ArgumentList = { "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(folder, "data"), "--web.listen-address=127.0.0.1:" + webPort.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var log = new System.Text.StringBuilder();
        prometheus.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        prometheus.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();

        using var stopIo = new CancellationTokenSource();
        await using var disk = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{host.Port}/{ApiHost.TargetName}/0");
        var io = ReadUntilStoppedAsync(disk, stopIo.Token);
        try
        {
            using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}") };
            var rate = await WaitForRateAsync(query, $"rate(storlane_lun_read_commands_total{{lun=\"0\",target=\"{ApiHost.TargetName}\"}}[5s])", prometheus);
            Assert.True(rate > 0, $"Prometheus returned no positive read rate for LUN 0 within the wait. Its log:\n{Log(log)}");
        }
        finally
        {
            await stopIo.CancelAsync();
            await io;
            Stop(prometheus);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Polls the query API until the instant vector has a sample above zero (or a minute passes), returning the largest seen.</summary>
    private static async Task<double> WaitForRateAsync(HttpClient query, string expression, Process prometheus)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var best = 0.0;
        while (DateTime.UtcNow < deadline && !prometheus.HasExited)
        {
            await Task.Delay(500);
            HttpResponseMessage response;
            try
            {
                response = await query.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(expression));
            }
            catch (HttpRequestException)
            {
                continue; // Not listening yet.
            }

            using (response)
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    continue;
                }

                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                foreach (var sample in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
                {
                    best = Math.Max(best, double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
                }
            }

            if (best > 0)
            {
                return best;
            }
        }

        return best;
    }

    private static async Task ReadUntilStoppedAsync(IscsiDisk disk, CancellationToken stop)
    {
        var buffer = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            await disk.ReadAsync(0, buffer, CancellationToken.None);
            await Task.Delay(2, CancellationToken.None);
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Log(System.Text.StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
