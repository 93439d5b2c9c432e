using System.CommandLine;
using System.Diagnostics;
using Storlane.Cli.Commands;
using Xunit.Abstractions;

namespace Storlane.Cli.Tests;

/// <summary>
/// <c>storlane demo</c> end to end through the CLI, as the README's first command runs it: no root,
/// in-process links. Runs are cut to 0.3 s and one repeat here; Storlane.Lab.Tests checks the full
/// demo's report.
/// </summary>
public sealed class DemoCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-demo-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Demo_PrintsBothTables_AndThePathOfItsHtmlReport()
    {
        var output = Path.Combine(_directory, "demo");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();

        var exitCode = await StorlaneCommandLine.InvokeAsync(["demo", "--output", output, "--repeat", "1", "--duration", "300ms"], new InvocationConfiguration { Output = stdout, Error = stderr });

        log.WriteLine($"demo took {clock.Elapsed.TotalSeconds:0.0} s");
        log.WriteLine(stdout.ToString());
        Assert.True(exitCode == 0, stderr.ToString());
        var text = stdout.ToString();
        foreach (var expected in new[] { "512 vs 4K", "Read Seq 4MB", "Write 4K QD16", "A cable pulled mid-run", "application I/O errors", "in-process links" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        var html = Path.Combine(output, "report.html");
        Assert.Contains("Report: " + html, text, StringComparison.Ordinal);
        Assert.True(File.Exists(html));
        Assert.Contains("storlane demo", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
    }
}
