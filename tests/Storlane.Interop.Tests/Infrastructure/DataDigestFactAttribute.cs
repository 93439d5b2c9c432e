namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// A fact that needs a client able to negotiate DataDigest=CRC32C. libiscsi gained data digests in
/// 1.20 (the <c>?data_digest=crc32c</c> URL argument); Debian 12 ships 1.19, and qemu's iscsi
/// driver has no data-digest option at all, so on such machines the test is skipped and says why.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataDigestFactAttribute : FactAttribute
{
    public DataDigestFactAttribute()
    {
        Skip = ToolSkip.Reason([ExternalTools.IscsiInq, ExternalTools.Tshark]) ?? LibiscsiVersion.DataDigestSkipReason();
    }
}

internal static class LibiscsiVersion
{
    public static string? DataDigestSkipReason()
    {
        var installed = Installed();
        if (installed is null)
        {
            return "skipped: cannot tell the libiscsi version (dpkg-query libiscsi7); DataDigest needs libiscsi >= 1.20";
        }

        return installed >= new Version(1, 20)
            ? null
            : $"skipped: libiscsi {installed} cannot negotiate DataDigest=CRC32C (added in 1.20) and qemu's iscsi driver has no data-digest option; no installed client can test data digests";
    }

    /// <summary>The Debian package version of libiscsi7, e.g. 1.19.0 from "1.19.0-3".</summary>
    private static Version? Installed()
    {
        if (ExternalTools.Find("dpkg-query") is null)
        {
            return null;
        }

        var result = CommandRunner.Run("dpkg-query", ["-W", "-f=${Version}", "libiscsi7"]);
        var upstream = result.Output.Split('-')[0];
        if (upstream.Contains(':', StringComparison.Ordinal))
        {
            upstream = upstream[(upstream.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }

        return result.ExitCode == 0 && Version.TryParse(upstream, out var version) ? version : null;
    }
}
