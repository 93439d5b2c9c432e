using System.Diagnostics;
using System.Globalization;
using Storlane.Bench.Engine;
using Storlane.Bench.Targets;
using Storlane.Cli.Serving;
using Storlane.Initiator;
using Storlane.Initiator.Multipath;
using Storlane.Initiator.Scsi;

namespace Storlane.Cli.Commands;

/// <summary>
/// The work of <c>storlane io</c>: opens a <see cref="MultipathDisk"/> over the URLs, runs one worker
/// per queue slot (each in its own region of the LU, random offsets, reads or writes by the read
/// share; with verify, reads only go to blocks the worker wrote and are checked against its copy),
/// prints progress each second and a summary: per path, I/Os, errors, latency; every failover.
/// Writes need <c>--write</c>. The first Ctrl-C stops the workers, prints the summary of what ran and
/// logs out; a second one ends the process at once (<see cref="ShutdownSignals"/>).
/// </summary>
internal sealed class IoRunner(IoSettings settings, TextWriter output, TextWriter error)
{
    /// <summary>Largest region a verifying worker keeps a copy of.</summary>
    private const int MaxVerifyRegionBytes = 4 << 20;

    private readonly List<FailoverEvent> _failovers = [];
    private readonly List<string> _errors = [];
    private long _ios;
    private long _reads;
    private long _bytes;
    private long _latencyTicks;
    private long _verified;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var signals = new ShutdownSignals(signal => error.WriteLine($"io: {signal}: stopping; the summary follows (press Ctrl-C again to quit at once)"));
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, cancellationToken);
        MultipathDisk disk;
        try
        {
            var options = new MultipathOptions { Policy = settings.Policy };
            disk = settings.NvmeUrls is { Count: > 0 } nvme
                ? await MultipathDisk.OpenAsync(nvme, options, interrupted.Token).ConfigureAwait(false)
                : await MultipathDisk.OpenAsync(settings.Urls, options, interrupted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or IscsiLoginException or ScsiCommandException or Storlane.Initiator.Nvme.NvmeCommandException)
        {
            error.WriteLine($"cannot open the LU: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            error.WriteLine("io stopped before the LU was open; nothing ran");
            return ExitCodes.Failure;
        }

        await using (disk.ConfigureAwait(false))
        {
            if (settings.BlockSize % disk.BlockSize != 0)
            {
                error.WriteLine($"--block-size: {settings.BlockSize} bytes is not a multiple of the LU's block size ({disk.BlockSize} bytes)");
                return ExitCodes.ConfigError;
            }

            var ioBlocks = settings.BlockSize / disk.BlockSize;
            var regionBlocks = disk.BlockCount / settings.QueueDepth;
            if (settings.Verify)
            {
                regionBlocks = Math.Min(regionBlocks, MaxVerifyRegionBytes / disk.BlockSize);
            }

            var slots = regionBlocks / ioBlocks;
            if (slots == 0)
            {
                error.WriteLine($"--qd/--block-size: the LU ({disk.BlockCount} blocks of {disk.BlockSize} bytes) is too small for {settings.QueueDepth} workers of {settings.BlockSize}-byte I/Os");
                return ExitCodes.ConfigError;
            }

            if (settings.Writes && !settings.Write)
            {
                var refusal = await RefuseWritesAsync(disk, interrupted.Token).ConfigureAwait(false);
                error.WriteLine(refusal);
                return ExitCodes.ConfigError;
            }

            disk.FailoverCompleted += OnFailover;
            PrintHeader(disk);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupted.Token);
            stop.CancelAfter(settings.Duration);
            var started = Stopwatch.GetTimestamp();
            var workers = new Task[settings.QueueDepth];
            for (var w = 0; w < workers.Length; w++)
            {
                var worker = w;
                workers[w] = Task.Run(() => WorkerAsync(disk, worker, worker * slots * ioBlocks, slots, ioBlocks, stop.Token), CancellationToken.None);
            }

            await ReportProgressAsync(Task.WhenAll(workers), started).ConfigureAwait(false);
            PrintSummary(disk, Stopwatch.GetElapsedTime(started));
            disk.FailoverCompleted -= OnFailover;
        }

        if (signals.Token.IsCancellationRequested)
        {
            error.WriteLine($"io stopped ({signals.Received}) before the end of --duration; the summary covers what ran");
            return ExitCodes.Failure;
        }

        lock (_errors)
        {
            return _errors.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }
    }

    private async Task<string> RefuseWritesAsync(MultipathDisk disk, CancellationToken cancellationToken)
    {
        string sample;
        try
        {
            var data = await WriteGuard.FindDataAsync(disk.BlockCount * disk.BlockSize, disk.BlockSize, 1,
                (offset, buffer, token) => disk.ReadAsync(offset / disk.BlockSize, buffer, token), cancellationToken).ConfigureAwait(false);
            sample = WriteRefusal.Sample(data);
        }
        catch (Exception ex) when (ex is IOException or ScsiCommandException or OperationCanceledException)
        {
            sample = $"Its blocks could not be sampled ({ex.Message}).";
        }

        var why = settings.Verify ? "--verify writes blocks to read them back" : $"--read-percent {settings.ReadPercent} makes {100 - settings.ReadPercent}% of the I/Os writes";
        return $"io: refusing to write to the LU ({why}), which destroys what it holds. {sample}\n"
            + "Add --write to allow it (its data will be lost), or --read-percent 100 without --verify to only read.";
    }

    private async Task WorkerAsync(MultipathDisk disk, int worker, long regionStart, long slots, int ioBlocks, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(worker, 0x5EED));
        var ioBytes = settings.BlockSize;
        var buffer = new byte[ioBytes];
        var shadow = settings.Verify ? new byte[slots * ioBytes] : null;
        var written = settings.Verify ? new bool[slots] : null;
        var writtenSlots = settings.Verify ? new long[slots] : null; // the slots written so far, for picking reads
        var writtenCount = 0;
        while (!stop.IsCancellationRequested)
        {
            var slot = random.NextInt64(slots);
            var read = random.Next(100) < settings.ReadPercent;
            if (read && writtenSlots is not null)
            {
                // Verified reads go to blocks this run wrote; before the first write there are none.
                read = writtenCount > 0;
                slot = read ? writtenSlots[random.Next(writtenCount)] : slot;
            }

            var lba = regionStart + (slot * ioBlocks);
            var begin = Stopwatch.GetTimestamp();
            try
            {
                if (read)
                {
                    await disk.ReadAsync(lba, buffer, CancellationToken.None).ConfigureAwait(false);
                    if (shadow is not null)
                    {
                        if (!buffer.AsSpan().SequenceEqual(shadow.AsSpan((int)(slot * ioBytes), ioBytes)))
                        {
                            Record($"verify: worker {worker} read data at LBA {lba} that differs from what it wrote there");
                            return;
                        }

                        Interlocked.Increment(ref _verified);
                    }
                }
                else
                {
                    random.NextBytes(buffer);
                    await disk.WriteAsync(lba, buffer, CancellationToken.None).ConfigureAwait(false);
                    if (shadow is not null)
                    {
                        buffer.CopyTo(shadow.AsSpan((int)(slot * ioBytes)));
                        if (!written![slot])
                        {
                            written[slot] = true;
                            writtenSlots![writtenCount++] = slot;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ScsiCommandException)
            {
                Record($"{(read ? "read" : "write")} at LBA {lba} failed: {ex.Message}");
                return;
            }

            Interlocked.Add(ref _latencyTicks, Stopwatch.GetTimestamp() - begin);
            Interlocked.Add(ref _bytes, ioBytes);
            Interlocked.Increment(ref _ios);
            if (read)
            {
                Interlocked.Increment(ref _reads);
            }
        }
    }

    private void Record(string message)
    {
        lock (_errors)
        {
            _errors.Add(message);
        }

        lock (output)
        {
            error.WriteLine("error: " + message);
        }
    }

    private void OnFailover(FailoverEvent failover)
    {
        lock (_failovers)
        {
            _failovers.Add(failover);
        }

        lock (output)
        {
            output.WriteLine($"failover: {failover.FromPath} -> {failover.ToPath} in {Ms(failover.Duration)} ms, {failover.RetriedIos} I/Os retried ({failover.Reason})");
        }
    }

    private async Task ReportProgressAsync(Task workers, long started)
    {
        long lastIos = 0;
        long lastBytes = 0;
        var lastTicks = started;
        while (!workers.IsCompleted)
        {
            await Task.WhenAny(workers, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            var ios = Interlocked.Read(ref _ios);
            var bytes = Interlocked.Read(ref _bytes);
            var seconds = Math.Max(Stopwatch.GetElapsedTime(lastTicks, now).TotalSeconds, 1e-6);
            lock (output)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Stopwatch.GetElapsedTime(started, now).TotalSeconds,6:0.0} s  {(ios - lastIos) / seconds,9:0} IOPS  {(bytes - lastBytes) / seconds / 1e6,8:0.0} MB/s  {ios,10} I/Os  {ErrorCount()} errors"));
            }

            (lastIos, lastBytes, lastTicks) = (ios, bytes, now);
        }

        await workers.ConfigureAwait(false);
    }

    private int ErrorCount()
    {
        lock (_errors)
        {
            return _errors.Count;
        }
    }

    private void PrintHeader(MultipathDisk disk)
    {
        var verify = settings.Verify ? ", verified" : string.Empty;
        output.WriteLine($"io: {disk.Paths.Count} path(s) to LU {disk.Designator?.ToString() ?? "(no designator)"} ({disk.BlockCount} blocks of {disk.BlockSize} B), policy {PathPolicyNames.Name(settings.Policy)}");
        output.WriteLine($"    qd {settings.QueueDepth}, {settings.BlockSize} B random I/O, {settings.ReadPercent}% reads{verify}, for {settings.Duration.TotalSeconds:0.###} s");
    }

    private void PrintSummary(MultipathDisk disk, TimeSpan elapsed)
    {
        var ios = Interlocked.Read(ref _ios);
        var meanLatency = ios == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _latencyTicks) / ios);
        output.WriteLine();
        output.WriteLine($"{ios} I/Os in {elapsed.TotalSeconds:0.0} s ({ios / Math.Max(elapsed.TotalSeconds, 1e-6):0} IOPS, {Interlocked.Read(ref _bytes) / Math.Max(elapsed.TotalSeconds, 1e-6) / 1e6:0.0} MB/s), {Interlocked.Read(ref _reads)} reads, mean latency {Ms(meanLatency)} ms"
            + (settings.Verify ? $", {Interlocked.Read(ref _verified)} reads verified" : string.Empty));
        output.WriteLine();
        // A path bound to a source address is named "portal via address": widen the column to fit.
        var nameWidth = 24;
        foreach (var path in disk.Paths)
        {
            nameWidth = Math.Max(nameWidth, path.Name.Length);
        }

        output.WriteLine($"{"path".PadRight(nameWidth)} {"state",-10} {"I/Os",10} {"errors",7} {"latency (EWMA)",15}");
        foreach (var path in disk.Paths)
        {
            output.WriteLine($"{path.Name.PadRight(nameWidth)} {path.State,-10} {path.Completed,10} {path.Errors,7} {Ms(path.AverageLatency) + " ms",15}");
        }

        output.WriteLine();
        lock (_failovers)
        {
            output.WriteLine(_failovers.Count == 0 ? "failovers: none" : $"failovers: {_failovers.Count}");
            foreach (var failover in _failovers)
            {
                output.WriteLine($"  {failover.FromPath} -> {failover.ToPath}: {Ms(failover.Duration)} ms, {failover.RetriedIos} I/Os retried ({failover.Reason})");
            }
        }

        lock (_errors)
        {
            output.WriteLine(_errors.Count == 0 ? "errors: none" : $"errors: {_errors.Count} (first: {_errors[0]})");
        }
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
}
