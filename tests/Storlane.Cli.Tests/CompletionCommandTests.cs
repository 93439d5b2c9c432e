using System.Diagnostics;
using static Storlane.Cli.Tests.CliRun;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane completion bash|zsh</c>: a script bash accepts, that completes what the command tree has.</summary>
public sealed class CompletionCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-completion-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    public async Task TheScript_IsValidShellSyntax(string shell)
    {
        var script = await ScriptAsync(shell);

        // zsh is not on every machine; its script is the bash function behind bashcompinit, which bash -n checks as well.
        var (code, _, error) = await BashAsync("-n", script);

        Assert.True(code == 0, error);
    }

    [Theory]
    [InlineData("storlane di", "disk")]
    [InlineData("storlane disk cr", "create")]
    [InlineData("storlane serve --log", "--log-level")]
    [InlineData("storlane serve --log-level w", "warning")]
    [InlineData("storlane disk create d.vhdx --type f", "fixed")]
    [InlineData("storlane bench comp", "compare")]
    [InlineData("storlane completion ", "bash")]
    [InlineData("storlane disk create d.vhdx --size ", "")]
    [InlineData("storlane io --pol", "--policy")]
    public async Task Bash_CompletesFromTheCommandTree(string line, string expected)
    {
        var script = Path.Combine(_directory, "storlane.bash");
        await File.WriteAllTextAsync(script, await ScriptAsync("bash"));
        var words = line.Split(' ');
        var driver = Path.Combine(_directory, "complete.sh");
        await File.WriteAllTextAsync(driver, $$"""
            source '{{script}}'
            COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}})
            COMP_CWORD={{words.Length - 1}}
            _storlane
            printf '%s\n' "${COMPREPLY[@]}"
            """);

        var (code, output, error) = await BashAsync(driver);

        Assert.True(code == 0, error);
        var completions = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (expected.Length == 0)
        {
            Assert.Empty(completions);
        }
        else
        {
            Assert.Contains(expected, completions);
            Assert.All(completions, c => Assert.StartsWith(words[^1], c, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AnUnknownShell_IsAUsageError()
    {
        var (code, output, error) = await RunAsync("completion", "fish");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("fish", error, StringComparison.Ordinal);
    }

    private static async Task<string> ScriptAsync(string shell)
    {
        var (code, output, error) = await RunAsync("completion", shell);
        Assert.True(code == 0, error);
        return output;
    }

    private async Task<(int Code, string Output, string Error)> BashAsync(params string[] args)
    {
        var file = args[^1];
        if (!File.Exists(file))
        {
            file = Path.Combine(_directory, "script.sh");
            await File.WriteAllTextAsync(file, args[^1]);
        }

        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args[..^1])
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add(file);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        return (process.ExitCode, await output, await error);
    }
}
