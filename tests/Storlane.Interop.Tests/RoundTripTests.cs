using Storlane.Interop.Tests.Infrastructure;
using static Storlane.Interop.Tests.Infrastructure.TestData;

namespace Storlane.Interop.Tests;

/// <summary>qemu-img writes 64 MiB of random data through iSCSI and reads back the same bytes.</summary>
public sealed class RoundTripTests
{
    [ToolTheory(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver)]
    [InlineData(0, "none")]
    [InlineData(0, "crc32c")]
    [InlineData(1, "none")]
    [InlineData(1, "crc32c")]
    public async Task QemuImgConvert_ToTheLunAndBack_KeepsTheSha256(int lun, string headerDigest)
    {
        await using var served = await ServedTarget.StartAsync();
        var source = await WriteRandomFileAsync(Path.Combine(served.Directory, "source.raw"), ServedTarget.LunSize, seed: (lun * 2) + headerDigest.Length);
        var copy = Path.Combine(served.Directory, "copy.raw");
        var options = QemuImg.ImageOptions(served.Portal, ServedTarget.Iqn, lun, headerDigest);

        AssertSucceeded(await QemuImg.WriteAsync(served, source, options));
        AssertSucceeded(await QemuImg.ReadAsync(served, options, copy));

        Assert.Equal(await Sha256Async(source), await Sha256Async(copy));
    }

    [ToolFact(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver, ExternalTools.Tshark)]
    public async Task QemuImg_AskingForHeaderDigestCrc32c_GetsItNegotiated()
    {
        await using var served = await ServedTarget.StartAsync();
        await using var capture = await LoginCapture.StartAsync(served.Server.Endpoints[0].Port);

        var result = await served.RunAsync(ExternalTools.QemuImg, "info", "--image-opts", QemuImg.ImageOptions(served.Portal, ServedTarget.Iqn, 0, "crc32c"));
        var responses = await capture.StopAsync();

        AssertSucceeded(result);
        Assert.Contains(responses, keys => keys.Contains("HeaderDigest=CRC32C", StringComparison.Ordinal));
    }

    [ToolFact(ExternalTools.QemuImg, ExternalTools.QemuIscsiDriver, ExternalTools.Tshark)]
    public async Task QemuImg_AskingForNoHeaderDigest_GetsNone()
    {
        await using var served = await ServedTarget.StartAsync();
        await using var capture = await LoginCapture.StartAsync(served.Server.Endpoints[0].Port);

        var result = await served.RunAsync(ExternalTools.QemuImg, "info", "--image-opts", QemuImg.ImageOptions(served.Portal, ServedTarget.Iqn, 0, "none"));
        var responses = await capture.StopAsync();

        AssertSucceeded(result);
        Assert.Contains(responses, keys => keys.Contains("HeaderDigest=None", StringComparison.Ordinal));
        Assert.DoesNotContain(responses, keys => keys.Contains("HeaderDigest=CRC32C", StringComparison.Ordinal));
    }

    [DataDigestFact]
    public async Task IscsiInq_AskingForDataDigestCrc32c_GetsItNegotiated_AndReadsInquiryData()
    {
        await using var served = await ServedTarget.StartAsync();
        await using var capture = await LoginCapture.StartAsync(served.Server.Endpoints[0].Port);

        var result = await served.RunAsync(ExternalTools.IscsiInq, served.Url(0) + "?data_digest=crc32c");
        var responses = await capture.StopAsync();

        AssertSucceeded(result);
        Assert.Contains("Peripheral Device Type:DIRECT_ACCESS", result.Output, StringComparison.Ordinal);
        Assert.Contains(responses, keys => keys.Contains("DataDigest=CRC32C", StringComparison.Ordinal));
    }
}
