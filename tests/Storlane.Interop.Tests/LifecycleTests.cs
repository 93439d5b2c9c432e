using System.Net;
using System.Net.Sockets;
using Storlane.Interop.Tests.Infrastructure;
using static Storlane.Interop.Tests.Infrastructure.TestData;

namespace Storlane.Interop.Tests;

/// <summary>The `storlane serve` process itself: start, refuse bad configs, stop on SIGTERM, keep data across restarts.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task BadConfig_ExitsWith2_AndNamesFileLineAndReason()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-interop-").FullName;
        try
        {
            var config = Path.Combine(directory, "bad.yaml");
            await File.WriteAllTextAsync(config, """
                portals:
                  - address: 127.0.0.1
                targets:
                  - name: iqn.2026-11.io.storlane:bad
                    luns:
                      - { lun: 0, backend: memory, size: 1000 }
                """);

            var result = await StorlaneCli.RunAsync("serve", "--config", config, "--data-dir", directory);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"{config}:6:42: size 1000 bytes is not a multiple of the logical block size (512)", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task PortInUse_ExitsWith1_WithAOneLineReason()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-interop-").FullName;
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        try
        {
            var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
            var config = Path.Combine(directory, "busy.yaml");
            await File.WriteAllTextAsync(config, $$"""
                portals: [{ address: 127.0.0.1, port: {{port}} }]
                targets: [{ name: "iqn.2026-11.io.storlane:busy", luns: [{ lun: 0, backend: memory, size: 1MiB }] }]
                """);

            var result = await StorlaneCli.RunAsync("serve", "--config", config, "--data-dir", directory);

            Assert.True(result.ExitCode == 1, result.ToString());
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("storlane: cannot start: ", line, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        }
        finally
        {
            occupant.Stop();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Sigterm_StopsTheServerCleanly_WithExitCode0()
    {
        await using var served = await ServedTarget.StartAsync();

        var exitCode = await served.Server.StopAsync();

        Assert.True(exitCode == 0, served.Server.Log);
        Assert.Contains("stopped", served.Server.Log, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver)]
    public async Task FileLun_KeepsItsDataAcrossARestart()
    {
        await using var served = await ServedTarget.StartAsync();
        var source = await WriteRandomFileAsync(Path.Combine(served.Directory, "source.raw"), ServedTarget.LunSize, seed: 42);
        var copy = Path.Combine(served.Directory, "copy.raw");
        AssertSucceeded(await QemuImg.WriteAsync(served, source, QemuImg.ImageOptions(served.Portal, ServedTarget.Iqn, 0, "none")));

        await served.RestartAsync();
        AssertSucceeded(await QemuImg.ReadAsync(served, QemuImg.ImageOptions(served.Portal, ServedTarget.Iqn, 0, "none"), copy));

        Assert.Equal(await Sha256Async(source), await Sha256Async(copy));
        Assert.Equal(ServedTarget.LunSize, new FileInfo(Path.Combine(served.DataDirectory, "lun0.img")).Length);
    }

    [DefaultPortsFact(ExternalTools.IscsiLs)]
    public async Task NoConfig_ServesTheDefaultTarget_OnBothLoopbackPortals_WithSparseFiles()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-interop-").FullName;
        try
        {
            // No --config and no --data-dir: exactly the README's serve command; the images go to
            // $XDG_DATA_HOME/storlane, not the current folder.
            var dataHome = Path.Combine(directory, "data-home");
            var dataDirectory = Path.Combine(dataHome, "storlane");
            var environment = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = dataHome, ["STATE_DIRECTORY"] = null };
            await using var server = await StorlaneServer.StartAsync(configPath: null, dataDirectory: null, directory, environment: environment);

            Assert.Equal(["127.0.0.1:3260", "127.0.0.2:3260"], server.Endpoints.Select(e => e.ToString()));
            foreach (var portal in new[] { "127.0.0.1", "127.0.0.2" })
            {
                var listing = await CommandRunner.RunAsync(ExternalTools.IscsiLs, ["-s", $"iscsi://{portal}"]) with { ServerLog = server.Log };
                AssertSucceeded(listing);
                Assert.Contains("Target:iqn.2026-11.io.storlane:default", listing.Output, StringComparison.Ordinal);
                Assert.Matches(@"Lun:1\s+Type:DIRECT_ACCESS \(Size:10\d\dM\)", listing.Output);
            }

            foreach (var image in new[] { "lun0.img", "lun1.img" })
            {
                var file = new FileInfo(Path.Combine(dataDirectory, image));
                Assert.Equal(1L << 30, file.Length);
            }

            Assert.Contains($"LUN files under {dataDirectory}", server.Log, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFiles(directory));
            Assert.Equal(0, await server.StopAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
