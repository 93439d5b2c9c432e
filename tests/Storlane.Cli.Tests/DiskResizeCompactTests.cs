using System.CommandLine;
using System.Security.Cryptography;
using Storlane.Cli.Commands;

namespace Storlane.Cli.Tests;

/// <summary><c>storlane disk resize</c> and <c>disk compact</c> run in-process: results, refusals that change nothing, help.</summary>
public sealed class DiskResizeCompactTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("storlane-disk-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ResizeAndCompactHelp_DescribeEveryOption_AndTheExitCodes()
    {
        var (resizeCode, resizeHelp, _) = await RunAsync("disk", "resize", "--help");
        var (compactCode, compactHelp, _) = await RunAsync("disk", "compact", "--help");

        Assert.Equal(0, resizeCode);
        Assert.Equal(0, compactCode);
        foreach (var expected in new[] { "--size", "--allow-shrink", "through the log", "Exit code 0" })
        {
            Assert.Contains(expected, resizeHelp, StringComparison.Ordinal);
        }

        Assert.Contains("flushed before its BAT entry moves through the log", compactHelp, StringComparison.Ordinal);
        Assert.Contains("Exit code 0", compactHelp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResizeGrowsAFixedVhdx_WithProgress_AndInfoShowsTheNewSize()
    {
        var disk = Path.Combine(_directory, "fixed.vhdx");
        Assert.Equal(0, (await RunAsync("disk", "create", disk, "--type", "fixed", "--size", "16MiB", "--block-size", "1MiB")).ExitCode);

        var (exitCode, output, error) = await RunAsync("disk", "resize", disk, "--size", "40MiB");

        Assert.Equal(0, exitCode);
        Assert.Contains("16 MiB -> 40 MiB", output, StringComparison.Ordinal);
        Assert.Contains("reserving space: 100%", error, StringComparison.Ordinal);
        var (_, info, _) = await RunAsync("disk", "info", disk);
        Assert.Contains("virtual size: 40 MiB", info, StringComparison.Ordinal);
        Assert.Contains("blocks allocated: 40 of 40", info, StringComparison.Ordinal);
        Assert.Contains("0 errors", (await RunAsync("disk", "check", disk)).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShrinkingARawFileOverData_IsRefusedWithoutChange_AndAllowedWithAllowShrink()
    {
        var disk = Path.Combine(_directory, "disk.img");
        var bytes = new byte[4 << 20];
        new Random(5).NextBytes(bytes);
        await File.WriteAllBytesAsync(disk, bytes);
        var before = await HashAsync(disk);

        var (refusedCode, _, refusedError) = await RunAsync("disk", "resize", disk, "--size", "1MiB");
        Assert.Equal(1, refusedCode);
        Assert.Contains("--allow-shrink", refusedError, StringComparison.Ordinal);
        Assert.Equal(before, await HashAsync(disk));

        var (code, output, _) = await RunAsync("disk", "resize", disk, "--size", "1MiB", "--allow-shrink");
        Assert.Equal(0, code);
        Assert.Contains("data past the new end dropped", output, StringComparison.Ordinal);
        Assert.Equal(1 << 20, new FileInfo(disk).Length);
        Assert.Equal(0, (await RunAsync("disk", "resize", disk, "--size", "8MiB")).ExitCode);
        Assert.Equal(8 << 20, new FileInfo(disk).Length);
    }

    [Fact]
    public async Task ShrinkingAVhdxOverData_IsRefused_AndTheFileIsUnchanged()
    {
        var disk = Path.Combine(_directory, "dynamic.vhdx");
        var source = Path.Combine(_directory, "source.img");
        var bytes = new byte[8 << 20];
        new Random(6).NextBytes(bytes);
        await File.WriteAllBytesAsync(source, bytes);
        Assert.Equal(0, (await RunAsync("disk", "convert", source, disk, "--format", "vhdx", "--block-size", "1MiB")).ExitCode);
        var before = await HashAsync(disk);

        var (code, _, error) = await RunAsync("disk", "resize", disk, "--size", "4MiB");

        Assert.Equal(1, code);
        Assert.Contains("holds data past the new end", error, StringComparison.Ordinal);
        Assert.Equal(before, await HashAsync(disk));
    }

    [Theory]
    [InlineData("1GB", "ambiguous")]
    [InlineData("0", "bad size '0'")]
    public async Task ABadSize_ExitsWith2(string size, string message)
    {
        var disk = Path.Combine(_directory, "disk.img");
        await File.WriteAllBytesAsync(disk, new byte[4096]);

        var (code, _, error) = await RunAsync("disk", "resize", disk, "--size", size);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(4096, new FileInfo(disk).Length);
    }

    [Fact]
    public async Task AVhdxSizeThatIsNotAWholeNumberOfSectors_ExitsWith2_AndTheFileIsUnchanged()
    {
        var disk = Path.Combine(_directory, "4k.vhdx");
        Assert.Equal(0, (await RunAsync("disk", "create", disk, "--size", "8MiB", "--logical-sector", "4096")).ExitCode);
        var before = await HashAsync(disk);

        var (code, _, error) = await RunAsync("disk", "resize", disk, "--size", "8389120");

        Assert.Equal(2, code);
        Assert.Contains("4096-byte logical sector", error, StringComparison.Ordinal);
        Assert.Equal(before, await HashAsync(disk));
    }

    [Fact]
    public async Task CompactAfterUnmap_ShrinksTheFile_AndReportsWhatItDid()
    {
        var disk = Path.Combine(_directory, "zeros.vhdx");
        var source = Path.Combine(_directory, "source.img");
        var bytes = new byte[16 << 20];
        new Random(7).NextBytes(bytes.AsSpan(0, 2 << 20));
        await File.WriteAllBytesAsync(source, bytes);
        Assert.Equal(0, (await RunAsync("disk", "create", disk, "--size", "16MiB", "--block-size", "1MiB")).ExitCode);

        // Blocks of zeros written through a device are allocated; compaction gives them back.
        await using (var device = await Storlane.Storage.Vhdx.VhdxBlockDevice.OpenAsync(disk))
        {
            await device.WriteAsync(0, bytes);
        }

        var before = new FileInfo(disk).Length;
        var (code, output, error) = await RunAsync("disk", "compact", disk);

        Assert.Equal(0, code);
        Assert.Contains("14 all-zero blocks released", output, StringComparison.Ordinal);
        Assert.Contains("compacting: 100%", error, StringComparison.Ordinal);
        Assert.Equal((4 + 2) << 20, new FileInfo(disk).Length);
        Assert.True(new FileInfo(disk).Length < before);
        Assert.Contains("0 errors", (await RunAsync("disk", "check", disk)).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompactingARawFile_ExitsWith1_AndSaysWhy()
    {
        var disk = Path.Combine(_directory, "disk.img");
        await File.WriteAllBytesAsync(disk, new byte[4096]);

        var (code, _, error) = await RunAsync("disk", "compact", disk);

        Assert.Equal(1, code);
        Assert.Contains("is not a VHDX file", error, StringComparison.Ordinal);
    }

    private static async Task<string> HashAsync(string path) => Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path)));

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StorlaneCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
