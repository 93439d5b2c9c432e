using System.Globalization;
using System.Text.Json.Nodes;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Cli.Tests;

/// <summary>
/// Ctrl-C on the real program (<c>dotnet storlane.dll</c>, SIGINT sent by PID): the first one stops
/// the run, logs out and keeps what was measured (bench: JSON, CSV and HTML marked partial; io: the
/// summary), exit code 1; a second one ends the process at once (exit 130, killed by SIGINT).
/// </summary>
public sealed class CtrlCTests : IAsyncLifetime
{
    private const string TargetName = "iqn.2026-11.io.storlane:cli-ctrl-c";
    private const int KilledBySigint = 128 + 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-ctrl-c-").FullName;
    private readonly TargetLogRecorder _targetLog = new();
    private LoopbackTarget? _target;

    private string Lun0 => _target!.Url(0);

    public async Task InitializeAsync() =>
        _target = await LoopbackTarget.StartAsync(new LoopbackTargetOptions { TargetName = TargetName, PortalAddresses = ["127.0.0.1", "127.0.0.2"], LoggerFactory = _targetLog.CreateFactory(), Luns = [LoopbackTarget.MemoryLun(0, 16 << 20, 512, 512)] });

    public async Task DisposeAsync()
    {
        await _target!.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Bench_FirstCtrlC_LogsOut_AndWritesThePartialJsonCsvAndHtml()
    {
        var (json, csv, html) = (Path.Combine(_directory, "r.json"), Path.Combine(_directory, "r.csv"), Path.Combine(_directory, "r.html"));
        using var storlane = CliProcess.Start("bench", "--target", Lun0, "--suite", "anvil", "--duration", "1s", "--write", "--json", json, "--csv", csv, "--html", html);
        await storlane.WaitForOutputAsync("[3/10]", Patience);

        await storlane.InterruptAsync();
        var exitCode = await storlane.WaitForExitAsync(Patience);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{storlane.Output}\n{storlane.Error}");
        Assert.Contains("partial result", storlane.Error, StringComparison.Ordinal);
        var partial = JsonNode.Parse(await File.ReadAllTextAsync(json))!["partial"]!;
        Assert.Equal(10, partial["plannedRuns"]!.GetValue<int>());
        Assert.InRange(partial["completedRuns"]!.GetValue<int>(), 2, 9);
        var rows = (await File.ReadAllLinesAsync(csv)).Skip(1).ToArray();
        Assert.Equal(partial["completedRuns"]!.GetValue<int>(), rows.Length);
        Assert.All(rows, row => Assert.EndsWith(",1", row, StringComparison.Ordinal));
        Assert.Contains("partial result: stopped after", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        await AssertLoggedOutAsync();
    }

    [Fact]
    public async Task Io_FirstCtrlC_PrintsTheSummary_AndLogsOut()
    {
        using var storlane = CliProcess.Start("io", "--url", Lun0, "--duration", "5m", "--qd", "2", "--write");
        await storlane.WaitForOutputAsync(" I/Os ", Patience);

        await storlane.InterruptAsync();
        var exitCode = await storlane.WaitForExitAsync(Patience);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{storlane.Output}\n{storlane.Error}");
        Assert.Contains("failovers: none", storlane.Output, StringComparison.Ordinal);
        Assert.Contains("errors: none", storlane.Output, StringComparison.Ordinal);
        Assert.Contains("io stopped (SIGINT)", storlane.Error, StringComparison.Ordinal);
        await AssertLoggedOutAsync();
    }

    [Fact]
    public async Task Bench_SecondCtrlC_WhileTheStopHangsOnAFrozenTarget_EndsTheProcessAtOnce()
    {
        await using var relay = new FreezableRelay(_target!.Server.BoundEndpoints[0]);
        var url = string.Create(CultureInfo.InvariantCulture, $"iscsi://{relay.Endpoint.Address}:{relay.Endpoint.Port}/{TargetName}/0");
        using var storlane = CliProcess.Start("bench", "--target", url, "--suite", "anvil", "--duration", "1s", "--write");
        await storlane.WaitForOutputAsync("[2/10]", Patience);
        relay.Freeze();

        await storlane.InterruptAsync();
        await storlane.WaitForErrorAsync("press Ctrl-C again", Patience);
        await storlane.InterruptAsync();
        var exitCode = await storlane.WaitForExitAsync(Patience);

        Assert.True(exitCode == KilledBySigint, $"exit {exitCode}\n{storlane.Output}\n{storlane.Error}");
    }

    /// <summary>The target saw the session end by a Logout Request, not a dropped connection.</summary>
    private async Task AssertLoggedOutAsync()
    {
        List<string> closed;
        for (var wait = 0; (closed = Closed()).Count == 0 && wait < 200; wait++)
        {
            await Task.Delay(50); // the target logs the close as its reader ends, just after the process exits
        }

        Assert.NotEmpty(closed);
        Assert.All(closed, m => Assert.EndsWith("closed (logout)", m, StringComparison.Ordinal));
    }

    private List<string> Closed() =>
        [.. _targetLog.Messages.Where(m => m.StartsWith("Connection ", StringComparison.Ordinal) && m.Contains("closed", StringComparison.Ordinal))];
}
