using System.CommandLine;
using Storlane.Cli.Commands;

namespace Storlane.Cli.Tests;

/// <summary>The command line parsed and run in-process, with its output captured.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_ListsTheServeCommand()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("serve", output, StringComparison.Ordinal);
        Assert.Contains("software SAN", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeHelp_DescribesEveryOption_AndTheExitCodes()
    {
        var (exitCode, output, _) = await RunAsync("serve", "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "--config", "--data-dir", "--log-level", "./storlane-data", "trace|", "Exit code 0" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_WithABadConfig_ExitsWith2_AndNamesFileLineAndReason()
    {
        var config = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(config, "portals:\n  - address: 127.0.0.1\n    prot: 3260\n");

        var (exitCode, output, error) = await RunAsync("serve", "--config", config, "--data-dir", _directory);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{config}:3:5: unknown key 'prot' (did you mean 'port'?)", error, StringComparison.Ordinal);
        Assert.Contains($"{config}:1:1: missing key 'targets'", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Serve_WithAMissingConfigFile_ExitsWith2()
    {
        var config = Path.Combine(_directory, "missing.yaml");

        var (exitCode, _, error) = await RunAsync("serve", "-c", config);

        Assert.Equal(2, exitCode);
        Assert.Contains($"{config}: cannot read the config file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAnUnknownLogLevel_IsAUsageError()
    {
        var (exitCode, _, error) = await RunAsync("serve", "--log-level", "loud");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("loud", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
