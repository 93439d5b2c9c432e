using System.Diagnostics;
using System.Globalization;
using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// tgtd (Debian's tgt), the peer target of the kernel failover comparison, inside the rig's
/// namespace: one target, LUN 1 on a sparse file (LUN 0 is tgtd's controller), a portal on each
/// tap's host address, all in tgtd's one portal group. Its own control port keeps its management
/// socket apart from any other tgtd; disposing stops it by PID.
/// </summary>
internal sealed class TgtdInNamespace : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-12.io.storlane:tgtd";

    private readonly Process _process;
    private readonly string _control;

    private TgtdInNamespace(Process process, int controlPort)
    {
        _process = process;
        _control = controlPort.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>tgtd's process id, for signals.</summary>
    public int Pid => _process.Id;

    public static async Task<TgtdInNamespace> StartAsync(KernelRig rig, long lunBytes)
    {
        var backing = Path.Combine(rig.DataDirectory, "tgtd-lun1.img");
        await using (var file = File.Create(backing))
        {
            file.SetLength(lunBytes);
        }

        var tgtd = await LaunchAsync(rig, rig.Network.Nics[0].HostAddress);
        try
        {
            for (var i = 1; i < rig.Network.Nics.Count; i++)
            {
                await tgtd.AdminAsync($"--op new --mode portal --param portal={rig.Network.Nics[i].HostAddress}:3260");
            }

            await tgtd.AdminAsync($"--op new --mode target --tid 1 -T {TargetName}");
            await tgtd.AdminAsync($"--op new --mode logicalunit --tid 1 --lun 1 -b {backing}");
            await tgtd.AdminAsync("--op bind --mode target --tid 1 -I ALL");
        }
        catch
        {
            await tgtd.DisposeAsync();
            throw;
        }

        return tgtd;
    }

    /// <summary>
    /// A tgt-rbd gateway (tgtd with tgt-rbd's bs_rbd): one portal on <paramref name="address"/>, LUN 1 on
    /// <paramref name="image"/> read through <paramref name="conf"/> (a conf with librbd's cache off, as
    /// gateways are deployed). Several over one image give the LU the same identity (scsi_id, scsi_sn),
    /// so dm-multipath sees one LU.
    /// </summary>
    public static async Task<TgtdInNamespace> StartRbdAsync(KernelRig rig, string address, string pool, string image, string conf)
    {
        var tgtd = await LaunchAsync(rig, address);
        try
        {
            await tgtd.AdminAsync($"--op new --mode target --tid 1 -T {TargetName}");
            await tgtd.AdminAsync($"--op new --mode logicalunit --tid 1 --lun 1 --bstype rbd --backing-store {pool}/{image} --bsopts conf={conf}");
            await tgtd.AdminAsync($"--op update --mode logicalunit --tid 1 --lun 1 --params scsi_id=storlane-{image},scsi_sn={image}");
            await tgtd.AdminAsync("--op bind --mode target --tid 1 -I ALL");
        }
        catch
        {
            await tgtd.DisposeAsync();
            throw;
        }

        return tgtd;
    }

    /// <summary>Starts tgtd inside the rig's namespace with one portal, on a control port of its own, and waits until it answers.</summary>
    private static async Task<TgtdInNamespace> LaunchAsync(KernelRig rig, string address)
    {
        var controlPort = FreeControlPort();
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["netns", "exec", rig.Network.NamespaceName, "tgtd", "-f", "-C", controlPort.ToString(CultureInfo.InvariantCulture), "--iscsi", "portal=" + address + ":3260"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start tgtd");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var tgtd = new TgtdInNamespace(process, controlPort);
        try
        {
            await tgtd.AdminWhenReadyAsync("--op show --mode target");
        }
        catch
        {
            await tgtd.DisposeAsync();
            throw;
        }

        return tgtd;
    }

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
    private async Task AdminWhenReadyAsync(string arguments)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await CommandRunner.RunAsync("tgtadm", ["-C", _control, "--lld", "iscsi", .. arguments.Split(' ')]);
            if (result.ExitCode == 0)
            {
                return;
            }

            Assert.True(attempt < 50 && !_process.HasExited, "tgtd never answered tgtadm:\n" + result);
            await Task.Delay(100);
        }
    }

    private async Task AdminAsync(string arguments) =>
        TestData.AssertSucceeded(await CommandRunner.RunAsync("tgtadm", ["-C", _control, "--lld", "iscsi", .. arguments.Split(' ')]));

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
