using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Initiator;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Nvme;
using Storlane.Storage;

namespace Storlane.Cli.Commands;

/// <summary>The checked settings of <c>storlane io</c>.</summary>
internal sealed record IoSettings(
    IReadOnlyList<IscsiUrl> Urls,
    PathPolicy Policy,
    int QueueDepth,
    int BlockSize,
    TimeSpan Duration,
    int ReadPercent,
    bool Verify,
    bool Write = false,
    IReadOnlyList<NvmeUrl>? NvmeUrls = null)
{
    /// <summary>True when the workload writes: some writes by the read share, or verify (which reads back what it wrote).</summary>
    public bool Writes => ReadPercent < 100 || Verify;

    public const int MaxQueueDepth = 1024;

    /// <summary>Checks every option; on the first problem writes "--option: why" to <paramref name="error"/> and returns null.</summary>
    public static IoSettings? Parse(string[] urls, string policy, int? lun, int queueDepth, string blockSize, string duration, int readPercent, bool verify, bool write, TextWriter error)
    {
        var parsed = new List<IscsiUrl>();
        var nvme = new List<NvmeUrl>();
        foreach (var text in urls)
        {
            if (NvmeUrl.IsNvmeUrl(text))
            {
                if (!NvmeUrl.TryParse(text, out var nvmeUrl, out var nvmeProblem))
                {
                    return Fail(error, "--url", nvmeProblem);
                }

                if (lun is not null)
                {
                    return Fail(error, "--lun", "NVMe/TCP URLs name their namespace (nvme+tcp://host[:port]/subsystem-nqn/nsid); --lun is for iSCSI URLs");
                }

                nvme.Add(nvmeUrl.Nsid is null ? nvmeUrl with { Nsid = 1 } : nvmeUrl);
                continue;
            }

            if (!IscsiUrl.TryParse(text, out var url, out var problem))
            {
                return Fail(error, "--url", $"'{text}': {problem}");
            }

            if (url.TargetName is null)
            {
                return Fail(error, "--url", $"'{url}' names no target (iscsi://host[:port]/iqn/lun)");
            }

            if (lun is { } chosen)
            {
                url = url with { Lun = chosen };
            }
            else if (url.Lun is null)
            {
                url = url with { Lun = 0 };
            }

            parsed.Add(url);
        }

        if (parsed.Count > 0 && nvme.Count > 0)
        {
            return Fail(error, "--url", "give iSCSI URLs or NVMe/TCP URLs of one LU, not both (a multipath disk's paths speak one protocol)");
        }

        if (parsed.Count + nvme.Count is 0 or > IPathSelector.MaxPaths)
        {
            return Fail(error, "--url", $"give 1 to {IPathSelector.MaxPaths} URLs of one LU");
        }

        if (lun is < 0 or > IscsiUrl.MaxLun)
        {
            return Fail(error, "--lun", $"{lun} is not a LUN from 0 to {IscsiUrl.MaxLun}");
        }

        if (!PathPolicyNames.TryParse(policy, out var pathPolicy))
        {
            return Fail(error, "--policy", $"unknown policy '{policy}'; expected {PathPolicyNames.Expected}");
        }

        if (queueDepth is < 1 or > MaxQueueDepth)
        {
            return Fail(error, "--qd", $"{queueDepth} is not a queue depth from 1 to {MaxQueueDepth}");
        }

        if (!TryParseBlockSize(blockSize, out var bytes))
        {
            return Fail(error, "--block-size", $"'{blockSize}' is not a power of two from 512 to 16m (512, 4k, 64k, 1m)");
        }

        if (!DurationText.TryParseSeconds(duration, out var seconds) || seconds <= 0 || seconds > TimeSpan.FromDays(1).TotalSeconds)
        {
            return Fail(error, "--duration", $"'{duration}' is not {DurationText.Expected}, above zero");
        }

        if (readPercent is < 0 or > 100)
        {
            return Fail(error, "--read-percent", $"{readPercent} is not a percentage from 0 to 100");
        }

        return new IoSettings(parsed, pathPolicy, queueDepth, bytes, TimeSpan.FromSeconds(seconds), readPercent, verify, write, nvme);
    }

    /// <summary>A size as <see cref="ByteSize"/> reads it (4k = 4096), a power of two from 512 bytes to 16 MiB.</summary>
    internal static bool TryParseBlockSize(string text, out int bytes)
    {
        bytes = 0;
        if (!ByteSize.TryParse(text, out var size) || size is < 512 or > 16 << 20 || (size & (size - 1)) != 0)
        {
            return false;
        }

        bytes = (int)size;
        return true;
    }

    private static IoSettings? Fail(TextWriter error, string option, string message)
    {
        error.WriteLine($"{option}: {message}");
        return null;
    }
}
