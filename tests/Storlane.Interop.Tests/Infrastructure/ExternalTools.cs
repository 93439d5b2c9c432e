namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>The real clients these tests drive, and whether this machine has them.</summary>
internal static class ExternalTools
{
    public const string IscsiLs = "iscsi-ls";
    public const string IscsiInq = "iscsi-inq";
    public const string IscsiReadCapacity16 = "iscsi-readcapacity16";
    public const string IscsiTestCu = "iscsi-test-cu";
    public const string QemuImg = "qemu-img";
    public const string Tshark = "tshark";

    /// <summary>Pseudo-tool: qemu-img can open iscsi:// (Debian ships the driver in qemu-block-extra).</summary>
    public const string QemuIscsiDriver = "qemu-block-extra";

    /// <summary>Pseudo-tool: tgtd with its rbd backing store (/usr/lib/tgt/backing-store/bs_rbd.so).</summary>
    public const string TgtRbd = "tgt-rbd";

    // `qemu-img --help` lists iscsi among the formats even when its module (qemu-block-extra) is
    // missing, so ask the driver itself: opening a closed loopback port fails either way, but
    // without the module it fails with "Unknown driver 'iscsi'".
    private static readonly Lazy<bool> QemuHasIscsi = new(() =>
    {
        if (Find(QemuImg) is null)
        {
            return false;
        }

        var probe = CommandRunner.Run(QemuImg, ["info", "--image-opts", "driver=iscsi,transport=tcp,portal=127.0.0.1:1,target=iqn.2026-11.io.storlane:probe,lun=0"]);
        return !(probe.Output + probe.Error).Contains("Unknown driver", StringComparison.Ordinal);
    });

    /// <summary>The Debian package that brings each tool, for skip messages.</summary>
    public static string PackageOf(string tool) => tool switch
    {
        IscsiLs or IscsiInq or IscsiReadCapacity16 or IscsiTestCu => "libiscsi-bin",
        QemuImg => "qemu-utils",
        QemuIscsiDriver => "qemu-block-extra",
        Tshark => "tshark",
        TgtRbd => "tgt-rbd",
        "prlimit" => "util-linux",
        _ => tool,
    };

    public static bool IsAvailable(string tool) => tool switch
    {
        QemuIscsiDriver => QemuHasIscsi.Value,
        TgtRbd => File.Exists("/usr/lib/tgt/backing-store/bs_rbd.so") && Find("tgtd") is not null && Find("tgtadm") is not null,
        _ => Find(tool) is not null,
    };

    /// <summary>The full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, tool);
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
