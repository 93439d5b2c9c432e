using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;
using Storlane.Storage;

namespace Storlane.Bench.Tests;

public sealed class TargetFactoryTests
{
    [Theory]
    [InlineData("memory:64MiB", 512, 512)]
    [InlineData("memory:64M,sector=512e", 512, 4096)]
    [InlineData("memory:64MiB,sector=4096", 4096, 4096)]
    public async Task MemoryTargets_HaveTheirGeometry(string spec, int logical, int physical)
    {
        await using var target = await BenchTargetFactory.OpenAsync(spec);

        Assert.Equal(logical, target.Info.LogicalBlockSize);
        Assert.Equal(physical, target.Info.PhysicalBlockSize);
        Assert.Equal(64L << 20, target.Info.SizeBytes);
    }

    [Theory]
    [InlineData("memory:lots", "bad size 'lots'")]
    [InlineData("memory:1GB", "'GB' is ambiguous")]
    [InlineData("memory:0", "must be above zero")]
    [InlineData("file:/tmp/x.img,size=1GB", "'GB' is ambiguous")]
    [InlineData("memory:1GiB,sector=1024", "unknown option 'sector=1024'")]
    [InlineData("disk:/dev/sda", "unknown target 'disk:/dev/sda'")]
    [InlineData("iscsi://127.0.0.1", "needs a target name and a LUN")]
    public async Task BadTargets_AreRefusedWithAReason(string spec, string reason)
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => BenchTargetFactory.OpenAsync(spec));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileTarget_UsesDirectIoOnLinux_AndReadsWhatItWrote()
    {
        var path = Path.Combine(Path.GetTempPath(), $"storlane-bench-{Guid.NewGuid():N}.img");
        try
        {
            await using (var target = await BenchTargetFactory.OpenAsync($"file:{path},size=4M"))
            {
                var spec = WorkloadSpec.Simple(4096, 50, 100, 4) with { IoCount = 2_000, Verify = true };
                var result = await Engine.WorkloadRunner.RunAsync(target, spec);

                Assert.Equal(0, result.VerifyErrors);
                Assert.True(result.VerifiedBlocks > 0);
                Assert.Equal(4L << 20, target.Info.SizeBytes);
                // tmpfs refuses O_DIRECT; the target then says so instead of pretending.
                Assert.Equal(target.Info.DirectIo ? 4096 : 1, target.BufferAlignment);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("4K", 4096)]
    [InlineData("4KiB", 4096)]
    [InlineData("128k", 131072)]
    [InlineData("4M", 4 << 20)]
    [InlineData("1GiB", 1 << 30)]
    [InlineData("1G", 1 << 30)]
    [InlineData("512", 512)]
    public void Sizes_AreBinary(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text));

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("5s", 5)]
    [InlineData("1.5s", 1.5)]
    [InlineData("2m", 120)]
    [InlineData("3", 3)]
    public void Durations_Parse(string text, double seconds)
    {
        Assert.True(DurationText.TryParseSeconds(text, out var parsed));
        Assert.Equal(seconds, parsed);
    }
}
