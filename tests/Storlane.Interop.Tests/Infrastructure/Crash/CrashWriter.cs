using Storlane.Initiator;

namespace Storlane.Interop.Tests.Infrastructure.Crash;

/// <summary>
/// Verified writers for one round: each worker has its own session and its own slice of the LUN
/// (so a block never has two writes in flight), and loops over writes of 1 to 16 blocks, half of
/// them with FUA, with an UNMAP of an aligned 1 MiB (a whole VHDX payload block, so its BAT entry
/// changes) instead of about one write in sixteen and a SYNCHRONIZE CACHE after about one command in
/// eight, recording every step in
/// the <see cref="CrashLedger"/>. They run until the target dies under them.
/// </summary>
internal sealed class CrashWriter
{
    private const int MaxBlocksPerWrite = 16;
    private const int FlushOneIn = 8;
    private const int UnmapOneIn = 16;
    private const int UnmapBytes = 1 << 20;

    private readonly CrashLedger _ledger;
    private readonly long _runSeed;

    public CrashWriter(CrashLedger ledger, long runSeed)
    {
        _ledger = ledger;
        _runSeed = runSeed;
    }

    /// <summary>Opens <paramref name="workers"/> sessions; the returned writers start when <see cref="Round.Start"/> is called.</summary>
    public async Task<Round> OpenRoundAsync(string url, int workers, int roundSeed)
    {
        var disks = new List<IscsiDisk>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                disks.Add(await IscsiDisk.OpenAsync(url));
            }
        }
        catch
        {
            foreach (var disk in disks)
            {
                await disk.DisposeAsync();
            }

            throw;
        }

        return new Round(this, disks, roundSeed);
    }

    internal sealed class Round(CrashWriter writer, List<IscsiDisk> disks, int roundSeed) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task[] _workers = [];

        /// <summary>Set by the test when it sends SIGKILL: a failure before that is a real error.</summary>
        public bool Killed { get; set; }

        public void Start()
        {
            var slice = writer._ledger.Blocks / disks.Count;
            _workers = [.. disks.Select((disk, index) => Task.Run(() => RunAsync(disk, index * slice, slice, new Random(HashCode.Combine(roundSeed, index)))))];
        }

        /// <summary>Waits for every worker to stop (they fail once the connection dies) and returns the errors seen before the kill.</summary>
        public async Task<IReadOnlyList<Exception>> StopAsync(TimeSpan timeout)
        {
            _stop.CancelAfter(timeout);
            var errors = new List<Exception>();
            foreach (var worker in _workers)
            {
                try
                {
                    await worker.WaitAsync(timeout + timeout);
                }
                catch (Exception e) when (!Killed)
                {
                    errors.Add(e);
                }
                catch (Exception)
                {
                    // The target was killed under this writer: the error is the expected end.
                }
            }

            return errors;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            foreach (var disk in disks)
            {
                try
                {
                    await disk.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception)
                {
                    // Logout to a dead target fails; the socket is closed either way.
                }
            }

            _stop.Dispose();
        }

        private async Task RunAsync(IscsiDisk disk, long firstBlock, long blocks, Random random)
        {
            var buffer = new byte[MaxBlocksPerWrite * disk.BlockSize];
            var token = _stop.Token;
            var unmapBlocks = UnmapBytes / disk.BlockSize;
            while (!token.IsCancellationRequested)
            {
                if (blocks >= unmapBlocks && random.Next(UnmapOneIn) == 0)
                {
                    var start = firstBlock + (random.NextInt64(blocks / unmapBlocks) * unmapBlocks);
                    var unmap = writer._ledger.AttemptUnmap(start, unmapBlocks);
                    await disk.UnmapAsync(start, unmapBlocks, token);
                    writer._ledger.Acknowledged(start, unmapBlocks, unmap, forceUnitAccess: false);
                    continue;
                }

                var count = random.Next(1, MaxBlocksPerWrite + 1);
                var lba = firstBlock + random.NextInt64(blocks - count + 1);
                var forceUnitAccess = random.Next(2) == 0;
                var generation = writer._ledger.Attempt(lba, count);
                for (var i = 0; i < count; i++)
                {
                    CrashPattern.Fill(buffer.AsSpan(i * disk.BlockSize, disk.BlockSize), lba + i, generation, writer._runSeed);
                }

                await disk.WriteAsync(lba, buffer.AsMemory(0, count * disk.BlockSize), forceUnitAccess, token);
                writer._ledger.Acknowledged(lba, count, generation, forceUnitAccess);
                if (random.Next(FlushOneIn) == 0)
                {
                    var ticket = writer._ledger.FlushTicket();
                    await disk.FlushAsync(token);
                    writer._ledger.FlushCompleted(ticket);
                }
            }
        }
    }
}
