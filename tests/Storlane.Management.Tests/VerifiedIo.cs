using System.Collections.Concurrent;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Management.Tests;

/// <summary>
/// Writes a distinct pattern to a block, reads it back and compares, round after round, on one LUN of a
/// session. A unit attention is recorded and the command sent again (the command did not run); any
/// other failure, or data that differs, is an error: the I/O was interrupted.
/// </summary>
internal sealed class VerifiedIo : IAsyncDisposable
{
    private const int BlockSize = 512;
    private const int Blocks = 64;

    private readonly IscsiSession _session;
    private readonly ulong _lun;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _rounds;

    private VerifiedIo(IscsiSession session, ulong lun)
    {
        _session = session;
        _lun = lun;
    }

    public int Rounds => Volatile.Read(ref _rounds);

    public ConcurrentQueue<string> Errors { get; } = new();

    public ConcurrentQueue<(int Asc, int Ascq)> Attentions { get; } = new();

    public static VerifiedIo Start(IscsiSession session, ulong lun)
    {
        var io = new VerifiedIo(session, lun);
        io._loop = Task.Run(io.RunAsync);
        return io;
    }

    public async Task WaitForRoundsAsync(int rounds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Rounds < rounds && Errors.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(Rounds >= rounds, $"{Rounds} rounds; errors: {string.Join("; ", Errors)}");
    }

    public async Task WaitForAttentionAsync(int asc, int ascq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Attentions.Contains((asc, ascq)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(Attentions.Contains((asc, ascq)), $"the I/O never saw {asc:X2}h/{ascq:X2}h; it saw {string.Join(", ", Attentions)}");
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private async Task RunAsync()
    {
        var written = new byte[BlockSize];
        var read = new byte[BlockSize];
        for (var round = 0; !_stop.IsCancellationRequested; round++)
        {
            var lba = (ulong)(round % Blocks);
            Array.Fill(written, (byte)(round * 7 + 1));
            BitConverter.TryWriteBytes(written, round);
            try
            {
                if (!await RunAsync(ScsiCdb.Write16(lba, 1, fua: false), default, written, round) ||
                    !await RunAsync(ScsiCdb.Read16(lba, 1), read, default, round))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Errors.Enqueue($"round {round}: {e.GetType().Name}: {e.Message}");
                return;
            }

            if (!read.AsSpan().SequenceEqual(written))
            {
                Errors.Enqueue($"round {round}: LBA {lba} read back other data than was written");
                return;
            }

            Interlocked.Increment(ref _rounds);
        }
    }

    private async Task<bool> RunAsync(ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, int round)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var result = await _session.ExecuteAsync(_lun, cdb, dataIn, dataOut);
            if (result.IsGood)
            {
                return true;
            }

            if (!result.IsUnitAttention)
            {
                Errors.Enqueue($"round {round}: {result.Status} {result.Sense}");
                return false;
            }

            Attentions.Enqueue((result.Sense!.Value.Asc, result.Sense.Value.Ascq));
        }

        Errors.Enqueue($"round {round}: unit attentions never ran out");
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
