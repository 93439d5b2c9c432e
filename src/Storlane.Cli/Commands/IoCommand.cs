using System.CommandLine;
using Storlane.Bench.Targets;

namespace Storlane.Cli.Commands;

/// <summary>
/// <c>storlane io --url URL [--url URL ...] [--policy lqd] [--lun N] [--qd 16] [--block-size 4k]
/// [--duration 10s] [--read-percent 50] [--verify] [--write]</c>: a random read/write workload through a
/// multipath disk, with per-path counts, latency and every failover. The work is in <see cref="IoRunner"/>.
/// </summary>
internal static class IoCommand
{
    public static Command Create()
    {
        var url = WorkloadOptions.Targets("--url", "-u", "url",
            "An iSCSI URL of the LU, iscsi://[user[%secret]@]host[:port]/iqn/lun[?local_address=IP], or an NVMe/TCP URL of the namespace, nvme+tcp://host[:port]/subsystem-nqn/nsid[?hdgst=1&ddgst=1&queues=N] (port 4420 by default). Repeat it for each path (portal) of the same LU; one URL is a single path.");
        var policy = new Option<string>("--policy", "-p")
        {
            Description = "Path selection policy: " + PathPolicyNames.Expected + ".",
            HelpName = "policy",
            DefaultValueFactory = _ => "lqd",
        };
        var lun = new Option<int?>("--lun") { Description = "LUN to open on every path; overrides the LUN in the URLs (default: theirs, or 0).", HelpName = "n" };
        var queueDepth = WorkloadOptions.Count("--qd", "-q", "I/Os kept in flight (one worker each, each in its own region of the LU).", 16);
        var blockSize = new Option<string>("--block-size", "-b")
        {
            Description = "Size of each I/O: 512, 4k, 64k, 1m (a power of two, a multiple of the LU's block size).",
            HelpName = "size",
            DefaultValueFactory = _ => "4k",
        };
        var duration = WorkloadOptions.Time("--duration", "-d", "How long to run: 500ms, 10s, 2m. Ctrl-C stops early, logs out and still prints the summary (exit code 1); a second Ctrl-C quits at once.", "10s");
        var readPercent = new Option<int>("--read-percent")
        {
            Description = "Share of reads among the I/Os, 0 to 100.",
            HelpName = "percent",
            DefaultValueFactory = _ => 50,
        };
        var verify = new Option<bool>("--verify")
        {
            Description = "Check every read against what this run wrote (reads go only to blocks it wrote; each worker keeps a copy of its region, at most 4 MiB). A mismatch fails the run.",
        };

        var write = new Option<bool>("--write")
        {
            Description = "Allow writes (any --read-percent below 100, or --verify): they overwrite what the LU holds. Without it io refuses (exit 2) and says what a sample of blocks holds.",
        };

        var command = new Command("io", "Run a random read/write workload through a multipath disk (one URL: a single path); prints progress each second, then per-path I/O counts, errors and latency, and every failover (from, to, time, retried I/Os). Writes need --write: they destroy the LU's data. Exit code 0: done; 1: an I/O or verify error, or stopped by Ctrl-C; 2: bad arguments, or writes refused.")
        {
            url,
            policy,
            lun,
            queueDepth,
            blockSize,
            duration,
            readPercent,
            verify,
            write,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var settings = IoSettings.Parse(
                parseResult.GetRequiredValue(url),
                parseResult.GetRequiredValue(policy),
                parseResult.GetValue(lun),
                parseResult.GetValue(queueDepth),
                parseResult.GetRequiredValue(blockSize),
                parseResult.GetRequiredValue(duration),
                parseResult.GetValue(readPercent),
                parseResult.GetValue(verify),
                parseResult.GetValue(write),
                error);
            return settings is null
                ? Task.FromResult(ExitCodes.ConfigError)
                : new IoRunner(settings, parseResult.InvocationConfiguration.Output, error).RunAsync(cancellationToken);
        });
        return command;
    }
}
