using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;

namespace Storlane.Lab.Topology.InProcess;

/// <summary>
/// One relayed TCP connection: the initiator's socket and the relay's socket to the target,
/// joined by two pumps (one per direction). Each pump owns one pooled buffer for its whole life
/// and charges every chunk to the token buckets of the links it crosses, so nothing is allocated
/// per chunk. Closing either side ends both; <see cref="Abort"/> resets both, like a pulled cable
/// whose loss the endpoints learn at once.
/// </summary>
internal sealed class RelayConnection
{
    /// <summary>Largest chunk read and charged at once: 0.5 ms at 1 Gbit/s, small next to the buckets' burst.</summary>
    private const int ChunkBytes = 64 * 1024;

    /// <summary>TCP payload of a 1500-byte MTU frame with the timestamp option (1500 - 20 - 32).</summary>
    private const int PayloadPerFrame = 1448;

    /// <summary>Ethernet header (14) + IPv4 (20) + TCP with timestamps (32).</summary>
    private const int HeaderBytesPerFrame = 66;

    private readonly Socket _client;
    private readonly Socket _server;
    private int _closed;

    public RelayConnection(Socket client, Socket server)
    {
        _client = client;
        _server = server;
    }

    /// <summary>Relays until both directions have ended or the connection is aborted.</summary>
    public async Task RunAsync(TokenBucket[] toTarget, TokenBucket[] toInitiator)
    {
        var up = PumpAsync(_client, _server, toTarget);
        var down = PumpAsync(_server, _client, toInitiator);
        await Task.WhenAll(up, down).ConfigureAwait(false);
        Close(reset: false);
    }

    /// <summary>Resets both sockets (RST), so both ends see the connection fail now.</summary>
    public void Abort() => Close(reset: true);

    private async Task PumpAsync(Socket source, Socket destination, TokenBucket[] buckets)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        using var delay = new ReusableDelay();
        try
        {
            while (true)
            {
                var received = await source.ReceiveAsync(buffer.AsMemory(0, ChunkBytes), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    // FIN from this side: pass the half-close on and let the other direction finish.
                    destination.Shutdown(SocketShutdown.Send);
                    return;
                }

                var wait = Reserve(buckets, received);
                if (wait > 0)
                {
                    await delay.WaitAsync(wait).ConfigureAwait(false);
                }

                var sent = 0;
                while (sent < received)
                {
                    sent += await destination.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side went away (or the cable was pulled): the whole connection ends.
            Close(reset: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Charges the chunk to every link it crosses; the slowest link decides the wait. A link
    /// carries frames, not payload: each 1448 bytes of TCP payload travel in a 1514-byte Ethernet
    /// frame (66 bytes of Ethernet, IPv4 and TCP headers with timestamps), which is what tc tbf
    /// counts in the namespaces mode, so one stream tops out at 95.6 % of the rate in both modes.
    /// </summary>
    private static long Reserve(TokenBucket[] buckets, int bytes)
    {
        var frames = (bytes + PayloadPerFrame - 1) / PayloadPerFrame;
        var wireBytes = bytes + (frames * HeaderBytesPerFrame);
        var now = Stopwatch.GetTimestamp();
        long wait = 0;
        foreach (var bucket in buckets)
        {
            wait = Math.Max(wait, bucket.Reserve(wireBytes, now));
        }

        return wait;
    }

    private void Close(bool reset)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Close(_client, reset);
        Close(_server, reset);
    }

    private static void Close(Socket socket, bool reset)
    {
        try
        {
            if (reset)
            {
                // Linger on with a zero timeout: close sends RST instead of FIN.
                socket.LingerState = new LingerOption(true, 0);
            }

            socket.Dispose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
