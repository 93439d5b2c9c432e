using System.Text.Json;
using static Storlane.Cli.Tests.CliRun;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane disk create</c> and <c>disk info</c>: sizes as qemu-img writes them, refusals that create nothing, JSON.</summary>
public sealed class DiskCreateInfoTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-disk-create-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("raw", "1G")]
    [InlineData("vhdx", "1G")]
    [InlineData("raw", "1GiB")]
    public async Task Create_TakesOneG_AsOneGiB(string format, string size)
    {
        var disk = Path.Combine(_directory, "one-g." + format);

        var (code, output, error) = await RunAsync("disk", "create", disk, "--format", format, "--size", size);

        Assert.True(code == 0, error);
        Assert.Contains("1 GiB", output, StringComparison.Ordinal);
        var (_, info, _) = await RunAsync("disk", "info", disk, "--json");
        using var json = JsonDocument.Parse(info);
        Assert.Equal(1L << 30, json.RootElement.GetProperty("virtualSize").GetInt64());
    }

    [Fact]
    public async Task Create_IntoAMissingFolder_IsRefused_AndCreatesNothing()
    {
        var folder = Path.Combine(_directory, "no-such-folder");
        var disk = Path.Combine(folder, "d.vhdx");

        var (code, _, error) = await RunAsync("disk", "create", disk, "--size", "1M");

        Assert.Equal(1, code);
        Assert.Contains($"folder '{folder}' does not exist", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Info_Json_DescribesAVhdx()
    {
        var disk = Path.Combine(_directory, "d.vhdx");
        Assert.Equal(0, (await RunAsync("disk", "create", disk, "--size", "64M", "--logical-sector", "4096", "--block-size", "1M")).ExitCode);

        var (code, output, error) = await RunAsync("disk", "info", disk, "--json");

        Assert.True(code == 0, error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("vhdx", root.GetProperty("format").GetString());
        Assert.Equal("dynamic", root.GetProperty("type").GetString());
        Assert.Equal(64L << 20, root.GetProperty("virtualSize").GetInt64());
        Assert.Equal(1L << 20, root.GetProperty("blockSize").GetInt64());
        Assert.Equal(4096, root.GetProperty("logicalSectorSize").GetInt32());
        Assert.Equal(0, root.GetProperty("allocatedBlocks").GetInt64());
        Assert.Equal(64, root.GetProperty("blockCount").GetInt64());
        Assert.True(Guid.TryParse(root.GetProperty("virtualDiskId").GetString(), out _));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parent").ValueKind);
    }

    [Fact]
    public async Task Info_Json_OfAMissingFile_IsAnErrorOnStderr_NotJson()
    {
        var (code, output, error) = await RunAsync("disk", "info", Path.Combine(_directory, "missing.vhdx"), "--json");

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }
}
