using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Cli.Commands;
using Storlane.Nvme.Target;
using Storlane.Scsi;
using Storlane.Storage;
using Xunit.Abstractions;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane io</c> and <c>storlane bench</c> with nvme+tcp:// URLs, against Storlane's NVMe/TCP target in-process on two loopback portals.</summary>
public sealed class NvmeHostCommandTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const string TargetName = "iqn.2026-11.io.storlane:nvme-cli-tests";
    private NvmeTcpServer? _server;

    private static string Nqn => NvmeTargetOptions.DeriveNqn(TargetName);

    public async Task InitializeAsync()
    {
        var device = new ScsiTargetDevice(TargetName);
        device.AddLogicalUnit(0, new MemoryBlockDevice(new BlockGeometry(512, 4096, 65536), BlockDeviceFeatures.Unmap));
        device.AddLogicalUnit(1, new MemoryBlockDevice(new BlockGeometry(4096, 4096, 8192), BlockDeviceFeatures.Unmap));
        var options = new NvmeTargetOptions();
        options.Portals.Add(new NvmePortal("127.0.0.1", 0, 1, false));
        options.Portals.Add(new NvmePortal("127.0.0.2", 0, 2, false));
        options.Subsystems.Add(new NvmeSubsystemOptions(Nqn, device, []));
        _server = new NvmeTcpServer(options, NullLoggerFactory.Instance);
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    private string Url(int portal, uint nsid)
    {
        var endpoint = _server!.ListeningPortals[portal].Endpoint;
        return "nvme+tcp://" + endpoint.Address + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture) + "/" + Nqn + "/" + nsid.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = stdout, Error = stderr });
        log.WriteLine(stdout.ToString());
        log.WriteLine(stderr.ToString());
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Io_TwoNvmePortals_VerifiedWorkload_ZeroErrors()
    {
        var (exitCode, output, error) = await RunAsync("io", "--url", Url(0, 2), "--url", Url(1, 2), "--policy", "rr", "--qd", "8", "--duration", "1s", "--verify", "--write");

        Assert.True(exitCode == 0, error);
        Assert.Contains("2 path(s)", output, StringComparison.Ordinal);
        Assert.Contains("blocks of 4096 B", output, StringComparison.Ordinal);
        Assert.Contains("reads verified", output, StringComparison.Ordinal);
        Assert.Contains("errors: none", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Io_NvmeUrlWithLunOption_IsRefusedWithTheReason()
    {
        var (exitCode, _, error) = await RunAsync("io", "--url", Url(0, 1), "--lun", "0", "--duration", "200ms");

        Assert.Equal(2, exitCode);
        Assert.Contains("--lun: NVMe/TCP URLs name their namespace", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Io_MixedIscsiAndNvmeUrls_AreRefused()
    {
        var (exitCode, _, error) = await RunAsync("io", "--url", Url(0, 1), "--url", "iscsi://127.0.0.1:1/iqn.2026-11.io.storlane:x/0", "--duration", "200ms");

        Assert.Equal(2, exitCode);
        Assert.Contains("not both", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_NvmeUrl_RunsTheSuiteOnTheNamespace()
    {
        var (exitCode, output, error) = await RunAsync("bench", "--target", Url(0, 1), "--suite", "cdm", "--duration", "200ms", "--write");

        Assert.True(exitCode == 0, error);
        Assert.Contains("nvme+tcp://", output, StringComparison.Ordinal);
        Assert.Contains("RND4K Q1T1 Write", output, StringComparison.Ordinal);
    }
}
