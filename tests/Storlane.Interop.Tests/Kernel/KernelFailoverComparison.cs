using System.Globalization;
using System.Text;
using System.Text.Json;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Lab.Vm;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// The measurement behind docs/kernel-initiator.md: the same guest, the same two NICs, the same
/// pulled cable, with Linux MPIO (open-iscsi + dm-multipath, three timer settings) against
/// storlane serve and against tgtd, and with Storlane's own initiator. Not run by default (each row
/// is several VM runs); bench/kernel-failover.sh runs it. It asserts what must hold in every row,
/// no I/O or verify error, and writes the stall figures as a table.
/// </summary>
[Collection(KernelVmCollection.Name)]
public sealed class KernelFailoverComparison
{
    private const string Switch = "STORLANE_KERNEL_FAILOVER_MATRIX";

    private static readonly TimeSpan PullAfter = TimeSpan.FromSeconds(10);

    [VmMeasurementFact]
    public async Task PulledCable_LinuxMpioAgainstStorlaneAndTgtd_AndStorlanesOwnInitiator()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("STORLANE_KERNEL_FAILOVER_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 3;
        var rows = new List<(string Label, Func<Task<PullFigures>> Measure)>
        {
            ("Linux MPIO -> Storlane, open-iscsi defaults (NOP 5 s/5 s, replacement 120 s)", () => LinuxPullAsync(tgtd: false, "default")),
            ("Linux MPIO -> Storlane, tuned (NOP 2 s/2 s, replacement 5 s)", () => LinuxPullAsync(tgtd: false, "tuned")),
            ("Linux MPIO -> Storlane, fast (NOP 1 s/1 s, replacement 2 s)", () => LinuxPullAsync(tgtd: false, "fast")),
            ("Linux MPIO -> tgtd, open-iscsi defaults", () => LinuxPullAsync(tgtd: true, "default")),
            ("Linux MPIO -> tgtd, tuned", () => LinuxPullAsync(tgtd: true, "tuned")),
            ("Storlane initiator (service-time) -> Storlane, defaults", StorlaneInitiatorPullAsync),
        };

        var output = Environment.GetEnvironmentVariable("STORLANE_KERNEL_FAILOVER_OUT") ?? Path.Combine(Path.GetTempPath(), "storlane-kernel-failover.md");
        var table = new StringBuilder();
        table.Append("| client -> target, timers | runs | longest I/O, ms (each run) | longest stretch with no completion, ms | I/O errors | verify errors |\n");
        table.Append("| --- | ---: | --- | --- | ---: | ---: |\n");
        var failures = new List<string>();
        foreach (var (label, measure) in rows)
        {
            var figures = new List<PullFigures>();
            for (var run = 0; run < runs; run++)
            {
                try
                {
                    figures.Add(await measure());
                }
                catch (Exception e) when (e is Xunit.Sdk.XunitException or TimeoutException or OperationCanceledException)
                {
                    // A run that did not finish is a finding, not the end of the table: keep its story.
                    var log = $"{output}.{failures.Count + 1}.failed.log";
                    await File.WriteAllTextAsync(log, label + "\n" + e);
                    figures.Add(new PullFigures(-1, -1, 1, 0));
                    failures.Add($"{label} (run {run + 1}: {log})");
                }
            }

            var ioErrors = figures.Sum(f => f.IoErrors);
            var verifyErrors = figures.Sum(f => f.VerifyErrors);
            table.Append(CultureInfo.InvariantCulture, $"| {label} | {runs} | {string.Join(", ", figures.Select(f => f.LongestMs < 0 ? "did not finish" : f.LongestMs.ToString(CultureInfo.InvariantCulture)))} | {string.Join(", ", figures.Select(f => f.GapMs < 0 ? "-" : f.GapMs.ToString(CultureInfo.InvariantCulture)))} | {ioErrors} | {verifyErrors} |\n");
            if (ioErrors + verifyErrors > 0 && !failures.Exists(f => f.StartsWith(label, StringComparison.Ordinal)))
            {
                failures.Add(label);
            }

            await File.WriteAllTextAsync(output, table.ToString());
        }

        Console.WriteLine(table);
        Assert.True(failures.Count == 0, "errors in: " + string.Join("; ", failures) + "\n" + table);
    }

    private static async Task<PullFigures> LinuxPullAsync(bool tgtd, string timers)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        TgtdInNamespace? peer = null;
        try
        {
            string target;
            if (tgtd)
            {
                peer = await TgtdInNamespace.StartAsync(rig, 256L << 20);
                target = TgtdInNamespace.TargetName;
            }
            else
            {
                await rig.StartStorlaneAsync(KernelMultipathTests.Config(preferFirstGroup: false));
                target = "iqn.2026-12.io.storlane:kernel";
            }

            // Long enough for the slowest row (default timers) to fail over well inside the run.
            var variables = new Dictionary<string, string> { ["TARGET"] = target, ["TIMERS"] = timers, ["RUNTIME"] = "45" };
            await using var vm = await rig.BootAsync("cable-pull.sh", variables, TimeSpan.FromMinutes(4), cancel.Token);
            var run = await PullAsync(rig, vm, cancel.Token);
            var results = new GuestResults(run);
            return new PullFigures(
                results.Number("pull_longest_ms"),
                results.Number("pull_gap_ms"),
                results["pull_exit"] == "0" ? results.Number("pull_errors") : 1,
                0);
        }
        finally
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }
        }
    }

    private static async Task<PullFigures> StorlaneInitiatorPullAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await using var rig = await KernelRig.CreateAsync(nics: 2, cancel.Token);
        await rig.StartStorlaneAsync(KernelMultipathTests.Config(preferFirstGroup: false));
        var variables = new Dictionary<string, string>
        {
            ["TARGET"] = "iqn.2026-12.io.storlane:kernel",
            ["RUNTIME"] = "30",
            ["STORLANE"] = $"{StorlaneCli.DotnetHost} {StorlaneCli.DllPath}",
        };
        await using var vm = await rig.BootAsync("storlane-initiator-pull.sh", variables, TimeSpan.FromMinutes(6), cancel.Token);
        var run = await PullAsync(rig, vm, cancel.Token);
        var bench = Path.Combine(rig.ShareDirectory, "bench.json");
        Assert.True(File.Exists(bench), "storlane bench wrote no JSON:\n" + run.Describe());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(bench, cancel.Token));
        var result = json.RootElement.GetProperty("tests")[0].GetProperty("results")[0].GetProperty("runs")[0];
        var interval = result.GetProperty("sampleIntervalSeconds").GetDouble();
        long longestGap = 0, gap = 0;
        foreach (var sample in result.GetProperty("timeSeries").EnumerateArray())
        {
            gap = sample.GetProperty("ios").GetInt64() == 0 ? gap + (long)(interval * 1000) : 0;
            longestGap = Math.Max(longestGap, gap);
        }

        return new PullFigures(
            (long)result.GetProperty("maxLatencyMs").GetDouble(),
            longestGap,
            result.GetProperty("ioErrors").GetInt64(),
            result.GetProperty("verifyErrors").GetInt64());
    }

    /// <summary>Pulls the first NIC's cable <see cref="PullAfter"/> into the guest's run and waits for the guest.</summary>
    private static async Task<VmResult> PullAsync(KernelRig rig, LinuxVm vm, CancellationToken cancellationToken)
    {
        Assert.True(await vm.WaitForLineAsync("MARK fio-started", TimeSpan.FromMinutes(4), cancellationToken), vm.GuestLog + "\n--- console\n" + vm.Console);
        await Task.Delay(PullAfter, cancellationToken);
        await rig.Network.SetLinkAsync(0, up: false, cancellationToken);
        var run = await vm.WaitAsync(cancellationToken);
        Assert.True(run.Succeeded, run.Describe() + "\n--- target\n" + rig.TargetLog);
        return run;
    }

    private sealed record PullFigures(long LongestMs, long GapMs, long IoErrors, long VerifyErrors);

    /// <summary>Runs only when bench/kernel-failover.sh (or the caller) sets STORLANE_KERNEL_FAILOVER_MATRIX=1.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class VmMeasurementFactAttribute : FactAttribute
    {
        public VmMeasurementFactAttribute()
        {
            var why = LinuxVm.WhyUnavailable(needsNetwork: true);
            Skip = Environment.GetEnvironmentVariable(Switch) != "1"
                ? $"skipped: a measurement of several minutes; bench/kernel-failover.sh runs it ({Switch}=1)"
                : why is null ? null : "skipped: " + why;
        }
    }
}
