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
        foreach (var expected in new[] { "--config", "--data-dir", "--log-level", "XDG_DATA_HOME", "STATE_DIRECTORY", "trace|", "Exit code 0" })
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

        Assert.Equal(2, exitCode);
        Assert.Contains("loud", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithABadCategoryLevel_IsAUsageErrorNamingIt()
    {
        var (exitCode, _, error) = await RunAsync("serve", "--log-level", "info,Storlane.Target.Login=chatty");

        Assert.Equal(2, exitCode);
        Assert.Contains("--log-level: 'Storlane.Target.Login=chatty' is not CATEGORY=LEVEL", error, StringComparison.Ordinal);
    }

    public static TheoryData<string[]> EveryCommandPath()
    {
        var data = new TheoryData<string[]>();
        void Walk(Command command, string[] path)
        {
            if (command.Subcommands.Count == 0 || command.Action is not null)
            {
                data.Add(path);
            }

            foreach (var sub in command.Subcommands)
            {
                Walk(sub, [.. path, sub.Name]);
            }
        }

        Walk(StorlaneCommandLine.Create(), []);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryCommandPath))]
    public async Task AnUnknownOption_IsUsageError2_EverywhereAlike_ErrorFirstThenAHint(string[] path)
    {
        // Arguments first: System.CommandLine would take an unknown "--x" as an argument's value.
        var command = path.Aggregate((Command)StorlaneCommandLine.Create(), (parent, name) => parent.Subcommands.Single(c => c.Name == name));
        var (exitCode, output, error) = await RunAsync([.. path, .. command.Arguments.Select(_ => "x"), "--no-such-option"]);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        var lines = error.TrimEnd().Split('\n');
        Assert.All(lines[..^1], line => Assert.StartsWith("storlane: ", line, StringComparison.Ordinal));
        Assert.Contains(lines[..^1], line => line.Contains("--no-such-option", StringComparison.Ordinal));
        Assert.Equal($"see '{string.Join(' ', ["storlane", .. path])} --help'", lines[^1]);
        Assert.DoesNotContain("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_IsUsageError2_WithTheHintNotTheWholeHelp()
    {
        var (exitCode, output, error) = await RunAsync();

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.DoesNotContain("Usage:", error, StringComparison.Ordinal);
        Assert.EndsWith("see 'storlane --help'", error.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMistypedCommand_SuggestsTheNearestOne()
    {
        var (exitCode, _, error) = await RunAsync("sevre");

        Assert.Equal(2, exitCode);
        Assert.Contains("did you mean 'serve'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingRequiredOption_IsUsageError2()
    {
        var (exitCode, _, error) = await RunAsync("io");

        Assert.Equal(2, exitCode);
        Assert.Contains("--url", error, StringComparison.Ordinal);
        Assert.EndsWith("see 'storlane io --help'", error.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryShortFlag_MeansOneThing_AcrossAllCommands()
    {
        var meanings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        void Walk(Command command)
        {
            foreach (var option in command.Options)
            {
                foreach (var alias in option.Aliases.Where(a => a.Length == 2 && a[0] == '-'))
                {
                    if (!meanings.TryGetValue(alias, out var names))
                    {
                        meanings[alias] = names = new HashSet<string>(StringComparer.Ordinal);
                    }

                    names.Add(option.Name);
                }
            }

            foreach (var sub in command.Subcommands)
            {
                Walk(sub);
            }
        }

        Walk(StorlaneCommandLine.Create());

        Assert.NotEmpty(meanings);
        Assert.All(meanings, pair => Assert.True(pair.Value.Count == 1, $"{pair.Key} means {string.Join(" and ", pair.Value)}"));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
