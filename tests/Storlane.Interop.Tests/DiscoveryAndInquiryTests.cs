using Storlane.Interop.Tests.Infrastructure;
using static Storlane.Interop.Tests.Infrastructure.TestData;

namespace Storlane.Interop.Tests;

/// <summary>libiscsi's command-line tools and qemu-img see what `storlane serve` serves.</summary>
public sealed class DiscoveryAndInquiryTests
{
    [ToolFact(ExternalTools.IscsiLs)]
    public async Task IscsiLs_ListsTheTargetAndItsLuns()
    {
        await using var served = await ServedTarget.StartAsync();

        var result = await served.RunAsync(ExternalTools.IscsiLs, "-s", $"iscsi://{served.Portal}");

        AssertSucceeded(result);
        Assert.Contains($"Target:{ServedTarget.Iqn} Portal:{served.Portal},1", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"Lun:0\s+Type:DIRECT_ACCESS \(Size:6\dM\)", result.Output);
        Assert.Matches(@"Lun:1\s+Type:DIRECT_ACCESS \(Size:6\dM\)", result.Output);
    }

    [ToolTheory(ExternalTools.IscsiInq)]
    [InlineData(0)]
    [InlineData(1)]
    public async Task IscsiInq_ReportsAConnectedDirectAccessDevice(int lun)
    {
        await using var served = await ServedTarget.StartAsync();

        var result = await served.RunAsync(ExternalTools.IscsiInq, served.Url(lun));

        AssertSucceeded(result);
        Assert.Contains("Peripheral Qualifier:CONNECTED", result.Output, StringComparison.Ordinal);
        Assert.Contains("Peripheral Device Type:DIRECT_ACCESS", result.Output, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task IscsiInq_DeviceIdentificationPage_NamesTheLunAndTheTargetPort()
    {
        await using var served = await ServedTarget.StartAsync();

        // -c takes the page code in decimal (atoi): 131 is VPD 0x83.
        var result = await served.RunAsync(ExternalTools.IscsiInq, "-e", "1", "-c", "131", served.Url(0));

        AssertSucceeded(result);
        Assert.Contains("DEVICE_IDENTIFICATION", result.Output, StringComparison.Ordinal);
        Assert.Contains("Designator Type:(3) NAA", result.Output, StringComparison.Ordinal);
        Assert.Contains("Designator Type:(4) RELATIVE_TARGET_PORT", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Designator:[{ServedTarget.Iqn},t,0x0001]", result.Output, StringComparison.Ordinal);
    }

    [ToolTheory(ExternalTools.IscsiReadCapacity16)]
    [InlineData(0, 512, 131071, 0)]
    [InlineData(1, 4096, 16383, 0)]
    [InlineData(2, 512, 131071, 3)]
    public async Task IscsiReadCapacity16_ReportsTheSectorGeometry(int lun, int blockLength, long lastLba, int exponent)
    {
        await using var served = await ServedTarget.StartAsync();

        var result = await served.RunAsync(ExternalTools.IscsiReadCapacity16, served.Url(lun));

        AssertSucceeded(result);
        Assert.Contains($"LOGICAL BLOCK LENGTH IN BYTES:{blockLength}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"RETURNED LOGICAL BLOCK ADDRESS:{lastLba}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:{exponent}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Total size:{ServedTarget.LunSize}", result.Output, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver)]
    public async Task QemuImgInfo_ShowsTheLunSize()
    {
        await using var served = await ServedTarget.StartAsync();

        var result = await served.RunAsync(ExternalTools.QemuImg, "info", served.Url(1));

        AssertSucceeded(result);
        Assert.Contains($"virtual size: 64 MiB ({ServedTarget.LunSize} bytes)", result.Output, StringComparison.Ordinal);
    }
}
