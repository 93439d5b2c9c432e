using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Tests.Topology;

/// <summary>
/// Test traffic over a topology: a server on every portal of the storage host that either echoes
/// (first byte 'E') or swallows and times what it receives (first byte 'S'), and clients that
/// connect from the server host over one path, bound to the path's local address.
/// </summary>
internal sealed class LabNetwork : IAsyncDisposable
{
    private const byte EchoMode = (byte)'E';
    private const byte SinkMode = (byte)'S';

    private readonly ILabTopology _topology;
    private readonly ILabHostAccess _hosts;
    private readonly List<Socket> _listeners = [];
    private readonly List<Socket> _accepted = [];
    private readonly List<Task> _running = [];
    private readonly Lock _gate = new();

    private LabNetwork(ILabTopology topology)
    {
        _topology = topology;
        _hosts = (ILabHostAccess)topology;
    }

    /// <summary>(portal index, remote address) of every accepted connection, in order.</summary>
    public List<(int Portal, IPAddress Remote)> Accepted { get; } = [];

    public static LabNetwork Listen(ILabTopology topology)
    {
        var network = new LabNetwork(topology);
        for (var j = 0; j < topology.PortalAddresses.Count; j++)
        {
            var endpoint = IPEndPoint.Parse(topology.PortalAddresses[j]);
            var listener = network._hosts.RunOnStorageHost(() =>
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(endpoint);
                socket.Listen(16);
                return socket;
            });
            network._listeners.Add(listener);
            network._running.Add(network.AcceptLoopAsync(listener, j));
        }

        return network;
    }

    /// <summary>Connects from the server host over <paramref name="path"/>; throws SocketException when it cannot.</summary>
    public async Task<Socket> ConnectAsync(LabPath path, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var (socket, connect) = _hosts.RunOnServerHost(() =>
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (path.LocalAddress is not null)
            {
                client.Bind(new IPEndPoint(IPAddress.Parse(path.LocalAddress), 0));
            }

            return (client, client.ConnectAsync(IPAddress.Parse(path.TargetHost), path.TargetPort, cancel.Token).AsTask());
        });
        try
        {
            await connect;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens an echo connection over <paramref name="path"/>.</summary>
    public async Task<Socket> OpenEchoAsync(LabPath path)
    {
        var socket = await ConnectAsync(path, TimeSpan.FromSeconds(10));
        await socket.SendAsync(new[] { EchoMode });
        return socket;
    }

    /// <summary>Sends a message and waits for its echo; false when none comes back within <paramref name="timeout"/> or the connection failed.</summary>
    public static async Task<bool> EchoesAsync(Socket socket, TimeSpan timeout) => await TryEchoAsync(socket, timeout) == EchoOutcome.Echoed;

    /// <summary>Sends a message and says whether it came back, the connection failed, or nothing happened within <paramref name="timeout"/>.</summary>
    public static async Task<EchoOutcome> TryEchoAsync(Socket socket, TimeSpan timeout)
    {
        var message = new byte[1024];
        Random.Shared.NextBytes(message);
        var received = new byte[message.Length];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await socket.SendAsync(message, SocketFlags.None, cancel.Token);
            var total = 0;
            while (total < received.Length)
            {
                var n = await socket.ReceiveAsync(received.AsMemory(total), SocketFlags.None, cancel.Token);
                if (n == 0)
                {
                    return EchoOutcome.Failed;
                }

                total += n;
            }

            return message.AsSpan().SequenceEqual(received) ? EchoOutcome.Echoed : EchoOutcome.Failed;
        }
        catch (OperationCanceledException)
        {
            return EchoOutcome.TimedOut;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return EchoOutcome.Failed;
        }
    }

    /// <summary>Sends as fast as the path allows for <paramref name="duration"/>; returns the rate the storage host received, in bit/s.</summary>
    public async Task<double> MeasureUploadAsync(LabPath path, TimeSpan duration)
    {
        using var socket = await ConnectAsync(path, TimeSpan.FromSeconds(10));
        await socket.SendAsync(new[] { SinkMode });
        var chunk = new byte[64 * 1024];
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            await socket.SendAsync(chunk);
        }

        socket.Shutdown(SocketShutdown.Send);
        var reply = new byte[16];
        var total = 0;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (total < reply.Length)
        {
            var n = await socket.ReceiveAsync(reply.AsMemory(total), SocketFlags.None, cancel.Token);
            Assert.True(n > 0, "the sink closed without reporting what it received");
            total += n;
        }

        var bytes = BinaryPrimitives.ReadInt64LittleEndian(reply);
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(reply.AsSpan(8));
        return bytes * 8.0 / (ticks / (double)Stopwatch.Frequency);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        // A connection whose client was cut by a pulled cable never hears of it here: close it.
        Task[] running;
        lock (_gate)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }

            running = [.. _running];
        }

        await Task.WhenAll(running);
    }

    private async Task AcceptLoopAsync(Socket listener, int portal)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                Accepted.Add((portal, ((IPEndPoint)client.RemoteEndPoint!).Address));
                _accepted.Add(client);
                _running.Add(ServeAsync(client));
            }
        }
    }

    private static async Task ServeAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(0, 1));
                if (n == 0)
                {
                    return;
                }

                if (buffer[0] == EchoMode)
                {
                    while ((n = await client.ReceiveAsync(buffer)) > 0)
                    {
                        await client.SendAsync(buffer.AsMemory(0, n));
                    }

                    return;
                }

                long bytes = 0;
                long first = 0;
                long last = 0;
                while ((n = await client.ReceiveAsync(buffer)) > 0)
                {
                    last = Stopwatch.GetTimestamp();
                    if (bytes == 0)
                    {
                        first = last;
                    }

                    bytes += n;
                }

                var reply = new byte[16];
                BinaryPrimitives.WriteInt64LittleEndian(reply, bytes);
                BinaryPrimitives.WriteInt64LittleEndian(reply.AsSpan(8), Math.Max(1, last - first));
                await client.SendAsync(reply);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The client or a pulled cable ended it.
            }
        }
    }
}

internal enum EchoOutcome
{
    Echoed,
    Failed,
    TimedOut,
}
