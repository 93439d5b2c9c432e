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
