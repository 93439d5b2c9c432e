using Storlane.Cli.Commands;

namespace Storlane.Cli.Tests;

/// <summary>The systemd unit and the container file start a command line that serve accepts, the way serve expects to be run there.</summary>
public sealed class PackagingTests
{
    [Fact]
    public void SystemdUnit_IsTypeNotify_WithTheStateDirectory_AndAnExecStartServeParses()
    {
        var unit = File.ReadAllLines(Path.Combine(ReadmeExampleTests.RepositoryRoot(), "packaging", "systemd", "storlane.service"));

        Assert.Contains("Type=notify", unit);
        Assert.Contains("StateDirectory=storlane", unit);
        Assert.Contains("RestartPreventExitStatus=2", unit);
        var execStart = Assert.Single(unit, line => line.StartsWith("ExecStart=", StringComparison.Ordinal));
        AssertServeParses(execStart["ExecStart=".Length..].Split(' ')[1..]);
    }

    [Fact]
    public void Containerfile_RunsAServeThatParses_WithItsDataInTheStateDirectory()
    {
        var lines = File.ReadAllLines(Path.Combine(ReadmeExampleTests.RepositoryRoot(), "packaging", "Containerfile"));

        Assert.Contains("ENV STATE_DIRECTORY=/var/lib/storlane", lines);
        var cmd = Assert.Single(lines, line => line.StartsWith("CMD ", StringComparison.Ordinal));
        AssertServeParses(System.Text.Json.JsonSerializer.Deserialize<string[]>(cmd["CMD ".Length..])!);
    }

    private static void AssertServeParses(string[] args)
    {
        Assert.Equal("serve", args[0]);
        var result = StorlaneCommandLine.Create().Parse(args);
        Assert.Empty(result.Errors);
    }
}
