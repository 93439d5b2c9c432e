using System.Diagnostics;
using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>
/// How the lab drives a bench process, with a shell script standing in for <c>storlane bench</c>
/// (a real child process, stopped by PID): failures carry the exit code and stderr, run starts are
/// seen in the output, a cable pull runs beside the bench and always puts the cable back.
/// </summary>
public sealed class ServerBenchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-server-bench-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private BenchInvocation Invocation() => new() { Targets = ["memory:1MiB"], Suite = "anvil", Tests = 1, DurationSeconds = 0.1, JsonPath = Path.Combine(_directory, "r.json") };

    [Fact]
    public async Task ABenchThatFails_IsALabFailure_NamingItsExitCodeAndError()
    {
        var topology = new ShellTopology("echo 'bad target' >&2; exit 2");
        var console = new ConsoleCapture();

        var error = await Assert.ThrowsAsync<LabExperimentException>(() => ServerBench.RunAsync(topology, Invocation(), console.Console, null, CancellationToken.None));

        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad target", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABenchThatWritesNoResult_IsALabFailure_SayingSo()
    {
        var topology = new ShellTopology("echo '[1/1] Read on A'");
        var console = new ConsoleCapture();

        var error = await Assert.ThrowsAsync<LabExperimentException>(() => ServerBench.RunAsync(topology, Invocation(), console.Console, null, CancellationToken.None));

        Assert.Contains("result cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1/1] Read on A", console.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CablePull_WaitsForItsRun_PullsThenRestores_AndTheBenchSeesNothingElse()
    {
        var topology = new ShellTopology("echo '[1/2] a on A'; sleep 0.2; echo '[2/2] a on B'; sleep 1.5; echo x >&2; exit 3");
        var cable = new CablePull(topology, nic: 1, run: 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400));

        await Assert.ThrowsAsync<LabExperimentException>(() => ServerBench.RunAsync(topology, Invocation(), new ConsoleCapture().Console, cable.RunAsync, CancellationToken.None));

        Assert.Equal([(1, false), (1, true)], topology.NicChanges);
        Assert.InRange(cable.PulledAtSeconds, 0.09, 1.0);
        Assert.True(cable.RestoredAtSeconds > cable.PulledAtSeconds);
    }

    [Fact]
    public async Task CablePull_WhenTheBenchEndsBeforeItsRun_SaysSo_AndPullsNothing()
    {
        var topology = new ShellTopology("echo '[1/2] a on A'; echo 'lost the target' >&2; exit 1");
        var cable = new CablePull(topology, nic: 0, run: 2, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<LabExperimentException>(() => ServerBench.RunAsync(topology, Invocation(), new ConsoleCapture().Console, cable.RunAsync, CancellationToken.None));

        Assert.Contains("ended before run 2 began", error.Message, StringComparison.Ordinal);
        Assert.Empty(topology.NicChanges);
    }

    /// <summary>A topology whose "server host" runs a shell script instead of storlane; NIC changes are recorded.</summary>
    private sealed class ShellTopology(string script) : ILabTopology
    {
        public List<(int Nic, bool Up)> NicChanges { get; } = [];

        public LabLinkMode Mode => LabLinkMode.InProcess;

        public string Description => "shell";

        public IReadOnlyList<string> PortalAddresses => ["127.0.0.1:3260"];

        public IReadOnlyList<LabPath> Paths => [new(0, 0, "127.0.0.1", 3260, null), new(1, 1, "127.0.0.2", 3260, null)];

        public Task SetServerNicAsync(int nic, bool up, CancellationToken cancellationToken)
        {
            lock (NicChanges)
            {
                NicChanges.Add((nic, up));
            }

            return Task.CompletedTask;
        }

        public Task<LabProcess> StartTargetAsync(string configPath, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<LabProcess> StartOnServerAsync(IReadOnlyList<string> storlaneArguments, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(script);
            return Task.FromResult(LabProcess.Start(info));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
