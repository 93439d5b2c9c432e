namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// qemu-img against an iSCSI LUN. Options go through <c>--image-opts</c> because qemu's iscsi
/// driver only takes <c>header-digest</c> there (qemu-img has no -iscsi option group, and a URL
/// query would be parsed by libiscsi without a context).
/// </summary>
internal static class QemuImg
{
    public static string ImageOptions(string portal, string target, int lun, string headerDigest, string? initiatorName = null) =>
        $"driver=iscsi,transport=tcp,portal={portal},target={target},lun={lun},header-digest={headerDigest}"
        + (initiatorName is null ? string.Empty : $",initiator-name={initiatorName}");

    /// <summary>Writes a raw file onto the LUN (-n: the target exists, do not create it).</summary>
    public static Task<CommandResult> WriteAsync(ServedTarget served, string rawFile, string imageOptions) =>
        served.RunAsync(ExternalTools.QemuImg, "convert", "-n", "-f", "raw", rawFile, "--target-image-opts", imageOptions);

    /// <summary>Reads the whole LUN into a raw file.</summary>
    public static Task<CommandResult> ReadAsync(ServedTarget served, string imageOptions, string rawFile) =>
        served.RunAsync(ExternalTools.QemuImg, "convert", "--image-opts", imageOptions, "-O", "raw", rawFile);
}
