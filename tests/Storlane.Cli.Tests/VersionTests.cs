using System.Reflection;

namespace Storlane.Cli.Tests;

/// <summary>`storlane --version` prints Storlane's informational version (release + commit), whoever hosts the command line.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task Version_PrintsStorlanesInformationalVersion_AndExitsZero()
    {
        var (exitCode, output, error) = await CliRun.RunAsync("--version");

        var expected = typeof(Storlane.Cli.Commands.StorlaneCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(0, exitCode);
        Assert.Equal("storlane " + expected, output.Trim());
        Assert.StartsWith("0.1.0", expected, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Version_OnASubcommand_IsAUsageError()
    {
        var (exitCode, _, error) = await CliRun.RunAsync("serve", "--version");
        Assert.Equal(2, exitCode);
        Assert.Contains("--version", error, StringComparison.Ordinal);
    }
}
