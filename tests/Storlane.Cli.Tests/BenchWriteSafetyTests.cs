using System.CommandLine;
using System.Text.Json.Nodes;
using Storlane.Cli.Commands;
using Storlane.Initiator;
using Storlane.Target;
using Storlane.TestSupport;

namespace Storlane.Cli.Tests;

/// <summary>
/// bench and io are safe by default: on a LUN they did not make, write tests need --write;
/// without it they refuse (exit 2), say what a sample of blocks holds and how to go on, and the
/// LUN keeps its data. --read-only runs the read tests alone.
/// </summary>
public sealed class BenchWriteSafetyTests : IAsyncLifetime
{
    private const string TargetName = "iqn.2026-11.io.storlane:cli-safety";
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-bench-safety-").FullName;
    private readonly byte[] _image = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 + 1))];
    private LoopbackTarget? _target;

    private string Lun0 => _target!.Url(0);

    public async Task InitializeAsync()
    {
        _target = await LoopbackTarget.StartAsync(new LoopbackTargetOptions { TargetName = TargetName, PortalAddresses = ["127.0.0.1", "127.0.0.2"], Luns = [LoopbackTarget.MemoryLun(0, 16 << 20, 512, 512)] });

        // "An image copied onto LUN 0": data at the start of the LUN.
        await using var disk = await IscsiDisk.OpenAsync(Lun0);
        await disk.WriteAsync(0, _image);
    }

    public async Task DisposeAsync()
    {
        await _target!.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task WriteSuite_OnAnIscsiLunWithData_WithoutWrite_ExitsTwo_SaysHow_AndLeavesTheDataAlone()
    {
        var (exitCode, _, error) = await RunAsync("bench", "--target", Lun0, "--suite", "anvil", "--duration", "200ms");

        Assert.Equal(2, exitCode);
        Assert.Contains("refusing to write to " + Lun0, error, StringComparison.Ordinal);
        Assert.Contains("Write 4K QD16", error, StringComparison.Ordinal);
        Assert.Contains("It holds data", error, StringComparison.Ordinal);
        Assert.Contains("--write", error, StringComparison.Ordinal);
        Assert.Contains("--read-only to run only its 6 read test(s)", error, StringComparison.Ordinal);
        Assert.Equal(_image, await ReadImageAsync());
    }

    [Fact]
    public async Task ReadOnly_RunsOnlyTheReadTests_AndTheLunKeepsItsData()
    {
        var json = Path.Combine(_directory, "read-only.json");

        var (exitCode, _, error) = await RunAsync("bench", "--target", Lun0, "--suite", "anvil", "--duration", "100ms", "--read-only", "--json", json);

        Assert.True(exitCode == 0, error);
        var tests = JsonNode.Parse(await File.ReadAllTextAsync(json))!["tests"]!.AsArray();
        Assert.Equal(6, tests.Count);
        Assert.All(tests, t => Assert.StartsWith("Read", t!["name"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(_image, await ReadImageAsync());
    }

    [Fact]
    public async Task Write_AllowsTheWriteTests()
    {
        var suite = Path.Combine(_directory, "write.yaml");
        await File.WriteAllTextAsync(suite, "name: w\nduration: 200ms\ntests:\n  - name: Write 4K\n    size: 4K\n    read: 0\n");

        var (exitCode, output, error) = await RunAsync("bench", "--target", Lun0, "--suite", suite, "--write");

        Assert.True(exitCode == 0, error);
        Assert.Contains("Write 4K", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAndReadOnlyTogether_ExitTwo()
    {
        var (exitCode, _, error) = await RunAsync("bench", "--target", "memory:16MiB", "--write", "--read-only");

        Assert.Equal(2, exitCode);
        Assert.Contains("--write or --read-only", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryTarget_NeedsNoWrite_BenchMadeIt()
    {
        var suite = Path.Combine(_directory, "write.yaml");
        await File.WriteAllTextAsync(suite, "name: w\nduration: 100ms\ntests:\n  - name: Write 4K\n    size: 4K\n    read: 0\n");

        var (exitCode, _, error) = await RunAsync("bench", "--target", "memory:16MiB", "--suite", suite);

        Assert.True(exitCode == 0, error);
    }

    [Fact]
    public async Task ExistingFile_IsNotBenchs_NeedsWrite_ButANewFileDoesNot()
    {
        var suite = Path.Combine(_directory, "write.yaml");
        await File.WriteAllTextAsync(suite, "name: w\nduration: 100ms\ntests:\n  - name: Write 4K\n    size: 4K\n    read: 0\n");
        var file = Path.Combine(_directory, "disk.img");

        var (created, _, createError) = await RunAsync("bench", "--target", $"file:{file},size=4MiB,buffered", "--suite", suite);
        var (again, _, againError) = await RunAsync("bench", "--target", $"file:{file},size=4MiB,buffered", "--suite", suite);

        Assert.True(created == 0, createError);
        Assert.Equal(2, again);
        Assert.Contains("refusing to write to file:" + file, againError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Io_WritesWithoutWrite_ExitTwo_AndLeaveTheDataAlone()
    {
        var (exitCode, _, error) = await RunAsync("io", "--url", Lun0, "--duration", "200ms");

        Assert.Equal(2, exitCode);
        Assert.Contains("refusing to write", error, StringComparison.Ordinal);
        Assert.Contains("It holds data", error, StringComparison.Ordinal);
        Assert.Contains("--write", error, StringComparison.Ordinal);
        Assert.Equal(_image, await ReadImageAsync());
    }

    [Fact]
    public async Task Io_ReadsOnly_RunsWithoutWrite()
    {
        var (exitCode, output, error) = await RunAsync("io", "--url", Lun0, "--duration", "200ms", "--read-percent", "100");

        Assert.True(exitCode == 0, error);
        Assert.Contains("errors: none", output, StringComparison.Ordinal);
        Assert.Equal(_image, await ReadImageAsync());
    }

    private async Task<byte[]> ReadImageAsync()
    {
        await using var disk = await IscsiDisk.OpenAsync(Lun0);
        var buffer = new byte[_image.Length];
        await disk.ReadAsync(0, buffer);
        return buffer;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
