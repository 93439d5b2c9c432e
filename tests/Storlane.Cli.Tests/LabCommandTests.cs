using System.CommandLine;
using Storlane.Cli.Commands;
using Storlane.Cli.Configuration;
using Storlane.Lab.Experiments;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane lab</c> and <c>storlane demo</c> as parsed by the CLI: help for every option, bad input refused before anything starts.</summary>
public sealed class LabCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-lab-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Help_ListsLabAndDemo()
    {
        var (exitCode, output, _) = await RunAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("lab", output, StringComparison.Ordinal);
        Assert.Contains("demo", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sector-size")]
    [InlineData("mpio")]
    [InlineData("failover")]
    public async Task ExperimentHelp_DescribesEveryOption(string experiment)
    {
        var (exitCode, output, _) = await RunAsync("lab", experiment, "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "--short", "--links", "auto|namespaces|in-process", "--rate", "1gbit|10gbit", "--repeat", "--duration", "--output" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LabHelp_ListsTheThreeExperiments_AndTheExitCodes()
    {
        var (exitCode, output, _) = await RunAsync("lab", "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "sector-size", "mpio", "failover", "Exit code 0" })
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DemoHelp_SaysNoRootIsNeeded_AndDefaultsToInProcessLinks()
    {
        var (exitCode, output, _) = await RunAsync("demo", "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("no root", output, StringComparison.Ordinal);
        Assert.Contains("in-process", output, StringComparison.Ordinal);
        Assert.DoesNotContain("--short", output, StringComparison.Ordinal);
        Assert.Contains("(default 5;", output, StringComparison.Ordinal);
        Assert.Contains("(default 1s)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "100mbit", "--rate '100mbit' is not 1gbit or 10gbit")]
    [InlineData("--repeat", "0", "--repeat must be 1 or more")]
    [InlineData("--duration", "soon", "--duration 'soon' is not a duration")]
    public async Task BadValue_ExitsWith2_SaysWhy_AndCreatesNothing(string option, string value, string message)
    {
        var output = Path.Combine(_directory, "out");

        var (exitCode, _, error) = await RunAsync("lab", "mpio", option, value, "--output", output);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task UnknownLinkMode_IsAUsageError_NamingTheValue()
    {
        var (exitCode, _, error) = await RunAsync("lab", "failover", "--links", "wifi");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("wifi", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOutputThatIsAFile_FailsWithExitCode1_AndSaysSo()
    {
        var file = Path.Combine(_directory, "taken");
        await File.WriteAllTextAsync(file, "");

        var (exitCode, _, error) = await RunAsync("demo", "--output", file);

        Assert.Equal(1, exitCode);
        Assert.Contains("is a file, not a folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LabTargetConfig_IsAcceptedByServesConfigLoader_WithRamLunsAndAPortalGroupEach()
    {
        var yaml = LabTargetConfig.Yaml(["10.231.0.1:3260", "10.231.1.1:3260"], [new LabLun(0, 512, 512), new LabLun(1, 4096, 4096), new LabLun(2, 512, 4096)]);

        var options = ConfigLoader.Parse(yaml, "target.yaml", _directory);

        Assert.Equal([(ushort)1, (ushort)2], options.Portals.Select(p => p.Group));
        var target = Assert.Single(options.Targets);
        Assert.Equal(LabTargetConfig.TargetName, target.Name);
        Assert.All(target.Luns, l => Assert.Equal(Storlane.Target.LunBackend.Memory, l.Backend));
        Assert.Equal([(512, 512), (4096, 4096), (512, 4096)], target.Luns.Select(l => (l.LogicalBlockSize, l.PhysicalBlockSize)));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
