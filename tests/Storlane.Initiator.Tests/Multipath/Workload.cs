using System.Diagnostics;
using Storlane.Initiator.Multipath;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>
/// A verified random read/write workload: each worker owns a region, keeps a shadow copy of it,
/// writes seeded patterns and checks every read against the shadow.
/// </summary>
internal sealed class Workload
{
    private const int RegionBlocks = 1024;

    private readonly byte[][] _shadows;

    private Workload(int workers, int blockSize)
    {
        _shadows = new byte[workers][];
        for (var i = 0; i < workers; i++)
        {
            _shadows[i] = new byte[RegionBlocks * blockSize];
        }
    }

    public List<Exception> Errors { get; } = [];

    public long Ios;

    public TimeSpan WorstLatency { get; private set; }

    /// <summary>Runs for <paramref name="duration"/>; <paramref name="midway"/> is called after a third of it.</summary>
    public static async Task<Workload> RunAsync(MultipathDisk disk, int workers, TimeSpan duration, Action? midway)
    {
        var workload = new Workload(workers, disk.BlockSize);
        using var stop = new CancellationTokenSource(duration);
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(() => workload.WorkerAsync(disk, worker, stop.Token));
        }

        if (midway is not null)
        {
            await Task.Delay(duration / 3);
            midway();
        }

        await Task.WhenAll(tasks);
        return workload;
    }

    public async Task VerifyAsync(MultipathDisk disk)
    {
        for (var w = 0; w < _shadows.Length; w++)
        {
            var back = new byte[_shadows[w].Length];
            await disk.ReadAsync((long)w * RegionBlocks, back);
            Assert.True(back.AsSpan().SequenceEqual(_shadows[w]), "region " + w + " differs from what was written");
        }
    }

    private async Task WorkerAsync(MultipathDisk disk, int worker, CancellationToken stop)
    {
        var random = new Random(worker);
        var blockSize = disk.BlockSize;
        var shadow = _shadows[worker];
        var buffer = new byte[16 * blockSize];
        while (!stop.IsCancellationRequested)
        {
            var blocks = random.Next(1, 17);
            var offset = random.Next(0, RegionBlocks - blocks);
            var io = buffer.AsMemory(0, blocks * blockSize);
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (random.Next(2) == 0)
                {
                    random.NextBytes(io.Span);
                    await disk.WriteAsync(((long)worker * RegionBlocks) + offset, io, CancellationToken.None);
                    io.Span.CopyTo(shadow.AsSpan(offset * blockSize));
                }
                else
                {
                    await disk.ReadAsync(((long)worker * RegionBlocks) + offset, io, CancellationToken.None);
                    if (!io.Span.SequenceEqual(shadow.AsSpan(offset * blockSize, io.Length)))
                    {
                        throw new InvalidDataException($"worker {worker} read wrong data at block {offset}");
                    }
                }
            }
            catch (Exception ex)
            {
                lock (Errors)
                {
                    Errors.Add(ex);
                }

                return;
            }

            var latency = Stopwatch.GetElapsedTime(started);
            lock (Errors)
            {
                Ios++;
                if (latency > WorstLatency)
                {
                    WorstLatency = latency;
                }
            }
        }
    }
}
