using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Cli.Commands;
using Storlane.Target;
using Storlane.TestSupport;
using Xunit.Abstractions;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane io</c> against Storlane's target in-process, on two loopback portals of one LU.</summary>
public sealed class IoCommandTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const string TargetName = "iqn.2026-11.io.storlane:io-cli-tests";
    private LoopbackTarget? _target;

    public async Task InitializeAsync() =>
        _target = await LoopbackTarget.StartAsync(new LoopbackTargetOptions
        {
            TargetName = TargetName,
            Luns = [LoopbackTarget.MemoryLun(0, 32 << 20, 512, 4096), LoopbackTarget.MemoryLun(1, 32 << 20, 4096, 4096)],
        });

    public async Task DisposeAsync() => await _target!.DisposeAsync();

    private string Url(int portal, string lun = "/0") => _target!.TargetUrl(portal) + lun;

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(["io", .. args], new InvocationConfiguration { Output = stdout, Error = stderr });
        log.WriteLine(stdout.ToString());
        log.WriteLine(stderr.ToString());
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task TwoPaths_VerifiedWorkload_PrintsPerPathCountsAndExitsZero()
    {
        var (exitCode, output, error) = await RunAsync("--url", Url(0), "--url", Url(1), "--policy", "lqd", "--qd", "8", "--block-size", "4k", "--duration", "1500ms", "--verify", "--write");

        Assert.True(exitCode == 0, error);
        Assert.Contains("2 path(s)", output, StringComparison.Ordinal);
        Assert.Contains("policy least-queue-depth", output, StringComparison.Ordinal);
        Assert.Contains("IOPS", output, StringComparison.Ordinal); // progress lines
        Assert.Contains("reads verified", output, StringComparison.Ordinal);
        Assert.Contains("failovers: none", output, StringComparison.Ordinal);
        Assert.Contains("errors: none", output, StringComparison.Ordinal);
        foreach (var portal in _target!.Server.BoundEndpoints)
        {
            // Each path's row: name, state, a non-zero I/O count (LQD spreads eight workers over both).
            var row = output.Split('\n').Single(l => l.StartsWith("127.0.0.1:" + portal.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            var columns = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("Active", columns[1]);
            Assert.True(long.Parse(columns[2], CultureInfo.InvariantCulture) > 0, row);
            Assert.Equal("0", columns[3]);
        }
    }

    [Fact]
    public async Task TwoSourceAddressesToOnePortal_AreTwoRowsNamedByAddress_InAlignedColumns()
    {
        var (exitCode, output, error) = await RunAsync("--url", Url(0) + "?local_address=127.0.0.5", "--url", Url(0) + "?local_address=127.0.0.6", "--policy", "rr", "--qd", "4", "--duration", "500ms", "--write");

        Assert.True(exitCode == 0, error);
        var lines = output.Split('\n');
        var header = lines.Single(l => l.StartsWith("path ", StringComparison.Ordinal));
        var portal = "127.0.0.1:" + _target!.Server.BoundEndpoints[0].Port.ToString(CultureInfo.InvariantCulture);
        foreach (var source in new[] { "127.0.0.5", "127.0.0.6" })
        {
            // Each path has its own row and its own count (round robin gives both a share).
            var row = lines.Single(l => l.StartsWith(portal + " via " + source + " ", StringComparison.Ordinal));
            Assert.Equal(header.IndexOf("state", StringComparison.Ordinal), row.IndexOf("Active", StringComparison.Ordinal));
            var columns = row[header.IndexOf("state", StringComparison.Ordinal)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(long.Parse(columns[1], CultureInfo.InvariantCulture) > 0, row);
        }
    }

    [Fact]
    public async Task OneUrl_LunOption_RunsASinglePath()
    {
        var (exitCode, output, error) = await RunAsync("--url", Url(0, lun: string.Empty), "--lun", "0", "--qd", "2", "--duration", "300ms", "--read-percent", "0", "--write");

        Assert.True(exitCode == 0, error);
        Assert.Contains("1 path(s)", output, StringComparison.Ordinal);
        Assert.Contains("0% reads", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--url", "iscsi://127.0.0.1:1/iqn.x/0?local_address=nothost", "--url: ")]
    [InlineData("--url", "http://127.0.0.1/iqn.x/0", "starts with 'iscsi://'")]
    [InlineData("--policy", "fastest", "--policy: unknown policy 'fastest'")]
    [InlineData("--block-size", "3k", "--block-size: '3k'")]
    [InlineData("--duration", "soon", "--duration: 'soon'")]
    [InlineData("--read-percent", "120", "--read-percent: 120")]
    [InlineData("--qd", "0", "--qd: 0")]
    public async Task BadArgument_ExitsTwo_AndNamesTheOption(string option, string value, string expected)
    {
        string[] args = option == "--url" ? ["--url", value] : ["--url", Url(0), option, value];
        var (exitCode, output, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.ConfigError, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("I/Os in", output, StringComparison.Ordinal); // nothing ran
    }

    [Fact]
    public async Task BlockSizeBelowTheLusBlockSize_ExitsTwo_BeforeAnyIo()
    {
        var (exitCode, output, error) = await RunAsync("--url", Url(0), "--lun", "1", "--block-size", "512", "--duration", "1s");

        Assert.Equal(ExitCodes.ConfigError, exitCode);
        Assert.Contains("not a multiple of the LU's block size (4096 bytes)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("I/Os in", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachablePortal_ExitsOne_WithTheReason()
    {
        var (exitCode, _, error) = await RunAsync("--url", "iscsi://127.0.0.1:1/" + TargetName + "/0", "--duration", "1s");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("cannot open the LU", error, StringComparison.Ordinal);
    }
}
