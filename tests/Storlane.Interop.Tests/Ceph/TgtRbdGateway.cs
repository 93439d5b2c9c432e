using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests.Ceph;

/// <summary>
/// The peer gateway: tgtd (Debian's tgt) with its rbd backing store (tgt-rbd's bs_rbd.so) exporting
/// an image of the shared test cluster as LUN 1 (LUN 0 is tgtd's controller) on one loopback
/// portal. bs_rbd takes the cluster's conf through <c>--bsopts conf=PATH</c> (else librados reads
/// $CEPH_CONF, then /etc/ceph/ceph.conf). Several gateways over one image share the target name, tid and the LU's
/// SCSI id and serial, so an initiator sees one LU. Each runs on its own control port; stopped by PID.
/// </summary>
internal sealed class TgtRbdGateway : IAsyncDisposable
{
    public const string Iqn = "iqn.2026-12.io.storlane:tgt-rbd";

    private readonly Process _process;
    private readonly string _control;

    private TgtRbdGateway(Process process, int controlPort, IPEndPoint endpoint)
    {
        _process = process;
        _control = controlPort.ToString(CultureInfo.InvariantCulture);
        Endpoint = endpoint;
    }

    public IPEndPoint Endpoint { get; }

    public string Url => $"iscsi://{Endpoint}/{Iqn}/1";

    /// <summary>Starts tgtd on <paramref name="address"/> over an existing image.</summary>
    public static async Task<TgtRbdGateway> StartAsync(CephClusterFixture ceph, string image, string address)
    {
        var controlPort = FreeControlPort();
        var endpoint = new IPEndPoint(IPAddress.Parse(address), FreeTcpPort(address));
        var start = new ProcessStartInfo("tgtd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-f", "-C", controlPort.ToString(CultureInfo.InvariantCulture), "--iscsi", "portal=" + endpoint])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start tgtd");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var tgtd = new TgtRbdGateway(process, controlPort, endpoint);
        try
        {
            await tgtd.AdminWhenReadyAsync(["--op", "show", "--mode", "target"]);
            await tgtd.AdminAsync(["--op", "new", "--mode", "target", "--tid", "1", "-T", Iqn]);
            await tgtd.AdminAsync(["--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "--bstype", "rbd", "--backing-store", ceph.PoolName + "/" + image, "--bsopts", "conf=" + await NoCacheConfAsync(ceph)]);

            // tgtd derives the LU's identity from the tid and LUN unless told; say it, the same on every gateway.
            await tgtd.AdminAsync(["--op", "update", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "--params", "scsi_id=storlane-" + image + ",scsi_sn=" + image]);
            await tgtd.AdminAsync(["--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL"]);
        }
        catch
        {
            await tgtd.DisposeAsync();
            throw;
        }

        return tgtd;
    }

    /// <summary>
    /// The cluster's conf with librbd's cache off, as gateways are deployed (ceph-iscsi does the same):
    /// with it on, a killed tgtd loses writes it acknowledged after the initiator's first flush.
    /// </summary>
    private static async Task<string> NoCacheConfAsync(CephClusterFixture ceph)
    {
        var path = Path.Combine(Path.GetDirectoryName(ceph.Cluster.ConfPath)!, "tgt-rbd.conf");
        var conf = await File.ReadAllTextAsync(ceph.Cluster.ConfPath);
        await File.WriteAllTextAsync(path, conf.Replace("[global]\n", "[global]\nrbd cache = false\n", StringComparison.Ordinal));
        return path;
    }

    /// <summary>SIGKILL by PID.</summary>
    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await CommandRunner.SignalAsync(_process.Id, "TERM");
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    /// <summary>The first tgtadm call waits for tgtd's control socket to appear.</summary>
    private async Task AdminWhenReadyAsync(string[] arguments)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await CommandRunner.RunAsync("tgtadm", ["-C", _control, "--lld", "iscsi", .. arguments]);
            if (result.ExitCode == 0)
            {
                return;
            }

            Assert.True(attempt < 50 && !_process.HasExited, "tgtd never answered tgtadm:\n" + result);
            await Task.Delay(100);
        }
    }

    private async Task AdminAsync(string[] arguments) =>
        TestData.AssertSucceeded(await CommandRunner.RunAsync("tgtadm", ["-C", _control, "--lld", "iscsi", .. arguments]));

    /// <summary>tgtd takes a fixed port: one the kernel just handed out on that address.</summary>
    private static int FreeTcpPort(string address)
    {
        var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>tgtd names its management socket /var/run/tgtd/socket.N (N up to 32767): pick an unused N.</summary>
    private static int FreeControlPort()
    {
        while (true)
        {
            var candidate = Random.Shared.Next(1000, 32767);
            if (!File.Exists("/var/run/tgtd/socket." + candidate.ToString(CultureInfo.InvariantCulture)))
            {
                return candidate;
            }
        }
    }
}
