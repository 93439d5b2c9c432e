using Storlane.Interop.Tests.Infrastructure;
using Storlane.Storage.Vhdx;
using static Storlane.Interop.Tests.Infrastructure.TestData;

namespace Storlane.Interop.Tests;

/// <summary>VHDX LUNs served by `storlane serve` (backend: vhdx) and the `storlane disk` commands, checked with qemu-img.</summary>
public sealed class VhdxLunTests
{
    private const string VhdxIqn = "iqn.2026-11.io.storlane:vhdx";

    private const string VhdxTarget = $$"""
          - name: {{VhdxIqn}}
            luns:
              - { lun: 0, backend: vhdx, path: vhdx512.vhdx, size: 64MiB, logical-block-size: 512 }
              - { lun: 1, backend: vhdx, path: vhdx4k.vhdx, size: 64MiB, logical-block-size: 4096 }
        """;

    [ToolTheory(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver)]
    [InlineData(0, "vhdx512.vhdx")]
    [InlineData(1, "vhdx4k.vhdx")]
    public async Task QemuImgConvert_ToAVhdxLunAndBack_KeepsTheSha256_AndTheFilePassesCheck(int lun, string file)
    {
        await using var served = await ServedTarget.StartAsync(moreTargets: VhdxTarget);
        var source = await WriteRandomFileAsync(Path.Combine(served.Directory, "source.raw"), ServedTarget.LunSize, seed: 70 + lun);
        var copy = Path.Combine(served.Directory, "copy.raw");
        var options = QemuImg.ImageOptions(served.Portal, VhdxIqn, lun, "none");

        AssertSucceeded(await QemuImg.WriteAsync(served, source, options));
        AssertSucceeded(await QemuImg.ReadAsync(served, options, copy));
        Assert.Equal(await Sha256Async(source), await Sha256Async(copy));

        // After a clean stop the log is empty and every structure is valid.
        Assert.Equal(0, await served.Server.StopAsync());
        var vhdx = Path.Combine(served.DataDirectory, file);
        var report = await VhdxChecker.CheckAsync(vhdx);
        Assert.False(report.HasErrors, string.Join("; ", report.Problems));
        if (lun == 0)
        {
            // qemu reads 512-byte-sector VHDX only; it must see the same bytes.
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["check", "-f", "vhdx", vhdx]));
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["compare", "-f", "vhdx", "-F", "raw", vhdx, source]));
        }
    }

    [ToolFact(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver)]
    public async Task ADifferencingVhdxLun_TakesWritesInTheChild_ShowsTheParentElsewhere_AndLeavesTheParentFileUnchanged()
    {
        const string Iqn = "iqn.2026-11.io.storlane:vhdx-child";
        const long Mib = 1L << 20;
        var directory = Directory.CreateTempSubdirectory("storlane-vhdx-child-").FullName;
        try
        {
            // A parent full of random data, and a child over it, made before the target starts.
            var parent = Path.Combine(directory, "parent.vhdx");
            var child = Path.Combine(directory, "child.vhdx");
            var parentRaw = await WriteRandomFileAsync(Path.Combine(directory, "parent.raw"), ServedTarget.LunSize, seed: 90);
            await VhdxDiskCreator.CreateAsync(parent, new VhdxCreateOptions { Type = VhdxDiskType.Dynamic, VirtualSize = ServedTarget.LunSize, BlockSize = (int)(4 * Mib) });
            await using (var device = await VhdxBlockDevice.OpenAsync(parent))
            {
                await device.WriteAsync(0, await File.ReadAllBytesAsync(parentRaw));
            }

            await VhdxDiskCreator.CreateAsync(child, new VhdxCreateOptions { Type = VhdxDiskType.Differencing, ParentPath = parent, BlockSize = (int)Mib });
            var parentHash = await Sha256Async(parent);

            await using var served = await ServedTarget.StartAsync(moreTargets: $$"""
                  - name: {{Iqn}}
                    luns:
                      - { lun: 0, backend: vhdx, path: {{child}}, size: 64MiB, logical-block-size: 512 }
                """);
            var options = QemuImg.ImageOptions(served.Portal, Iqn, 0, "none");

            // A whole child block, a run across the 40 MiB block boundary (40M-64K), and one sector at 50M+4K (a partially present block).
            AssertSucceeded(await served.RunAsync("qemu-io", "--image-opts", options,
                "-c", "write -P 0xab 1M 1M", "-c", "write -P 0xcd 41877504 128K", "-c", "write -P 0xef 52432896 512"));
            var copy = Path.Combine(directory, "copy.raw");
            AssertSucceeded(await QemuImg.ReadAsync(served, options, copy));
            Assert.Equal(0, await served.Server.StopAsync());

            var expected = await File.ReadAllBytesAsync(parentRaw);
            expected.AsSpan((int)Mib, (int)Mib).Fill(0xab);
            expected.AsSpan((int)((40 * Mib) - (64 << 10)), 128 << 10).Fill(0xcd);
            expected.AsSpan((int)((50 * Mib) + 4096), 512).Fill(0xef);
            var actual = await File.ReadAllBytesAsync(copy);
            Assert.True(expected.AsSpan().SequenceEqual(actual), "the LUN must read the parent where the child has nothing, and the writes where it does");

            Assert.Equal(parentHash, await Sha256Async(parent));
            var report = await VhdxChecker.CheckAsync(child);
            Assert.False(report.HasErrors, string.Join("; ", report.Problems));
            await using var reopened = await VhdxBlockDevice.OpenAsync(child, readOnly: true);
            Assert.Equal(VhdxDiskType.Differencing, reopened.DiskType);
            Assert.Equal(4, reopened.Info.AllocatedBlocks);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [ToolFact(ExternalTools.QemuImg)]
    public async Task DiskCreateInfoCheckConvert_MakeFilesQemuAccepts()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-disk-").FullName;
        try
        {
            var fixedDisk = Path.Combine(directory, "fixed.vhdx");
            var dynamicDisk = Path.Combine(directory, "dynamic.vhdx");
            var raw = Path.Combine(directory, "copy.raw");
            var create = await Storlane("disk", "create", fixedDisk, "--type", "fixed", "--size", "48MiB", "--block-size", "4MiB");
            AssertSucceeded(create);
            Assert.Contains("reserving space: 100%", create.Error, StringComparison.Ordinal);
            AssertSucceeded(await Storlane("disk", "create", dynamicDisk, "--size", "48MiB", "--physical-sector", "4096"));
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["check", "-f", "vhdx", fixedDisk]));
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["check", "-f", "vhdx", dynamicDisk]));

            var info = await Storlane("disk", "info", dynamicDisk);
            AssertSucceeded(info);
            Assert.Contains("type: dynamic", info.Output, StringComparison.Ordinal);
            Assert.Contains("physical sector size: 4096", info.Output, StringComparison.Ordinal);

            var check = await Storlane("disk", "check", fixedDisk);
            AssertSucceeded(check);
            Assert.Contains("0 errors", check.Output, StringComparison.Ordinal);

            AssertSucceeded(await Storlane("disk", "convert", fixedDisk, raw, "--format", "raw"));
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["compare", "-f", "vhdx", "-F", "raw", fixedDisk, raw]));

            var refused = await Storlane("disk", "create", Path.Combine(directory, "x.vhdx"), "--size", "1GB");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("ambiguous", refused.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Task<CommandResult> Storlane(params string[] arguments) =>
        CommandRunner.RunAsync(StorlaneCli.DotnetHost, [StorlaneCli.DllPath, .. arguments]);
}
