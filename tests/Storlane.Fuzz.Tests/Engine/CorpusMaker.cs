using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Storlane.Fuzz.Tests.Targets;
using Storlane.Initiator;
using Storlane.Iscsi.Pdu;

namespace Storlane.Fuzz.Tests.Engine;

/// <summary>
/// Makes the committed seed corpus from a real exchange: Storlane's initiator (IscsiDisk, the same
/// code `storlane io` uses) logs in to an in-process target over TCP on 127.0.0.1 through a relay that
/// records every byte the initiator sends, then inquires, writes, reads, flushes, unmaps and logs out.
/// The recorded stream is cut with <see cref="PduReader"/> into seeds per target:
/// pdu (the stream in windows), login (each Login Request's text), cdb (each command's CDB and
/// immediate data) and connection (full feature phase PDUs in windows).
/// Run: <c>dotnet run -c Release --project tests/Storlane.Fuzz.Tests -- --make-corpus tests/Storlane.Fuzz.Tests/Corpus</c>.
/// </summary>
internal static class CorpusMaker
{
    public static async Task<int> MakeAsync(string directory)
    {
        var stream = await RecordSessionAsync();
        var pdus = Split(stream);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void Save(string target, byte[] bytes)
        {
            var folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            var n = counts[target] = counts.GetValueOrDefault(target) + 1;
            File.WriteAllBytes(Path.Combine(folder, $"captured-{n:d3}.bin"), bytes);
        }

        var firstCommand = pdus.FindIndex(p => (p.Header[0] & 0x3f) != (int)Opcode.LoginRequest);
        foreach (var window in Windows(pdus, 0, pdus.Count, 6))
        {
            Save("pdu", window);
        }

        foreach (var window in Windows(pdus, firstCommand, pdus.Count, 4))
        {
            Save("connection", window);
        }

        var seenCdbs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (header, data) in pdus)
        {
            var bhs = new Bhs(header);
            if (bhs.Opcode == Opcode.LoginRequest && data.Length > 0)
            {
                Save("login", data);
            }
            else if (bhs.Opcode == Opcode.ScsiCommand && seenCdbs.Add(Convert.ToHexString(bhs.Cdb)))
            {
                var dataOut = data.AsSpan(0, Math.Min(data.Length, 512));
                byte[] record = [16, .. bhs.Cdb, (byte)(dataOut.Length >> 8), (byte)dataOut.Length, .. dataOut];
                Save("cdb", record);
            }
        }

        foreach (var (target, count) in counts)
        {
            Console.WriteLine($"{target}: {count} seeds");
        }

        return 0;
    }

    private static async Task<byte[]> RecordSessionAsync()
    {
        var server = ConnectionTarget.Server;
        var targetEndpoint = server.BoundEndpoints[0];
        using var relay = new TcpListener(IPAddress.Loopback, 0);
        relay.Start();
        var recorded = new MemoryStream();
        var relaying = RelayOnceAsync(relay, targetEndpoint, recorded);
        var port = ((IPEndPoint)relay.LocalEndpoint).Port;
        await using (var disk = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{port}/{ConnectionTarget.TargetName}/0"))
        {
            var block = new byte[4096];
            new Random(12).NextBytes(block);
            await disk.WriteAsync(8, block, forceUnitAccess: true);
            await disk.ReadAsync(8, new byte[4096]);
            await disk.WriteAsync(64, new byte[512]);
            await disk.FlushAsync();
            await disk.UnmapAsync(64, 8);
        }

        await relaying;
        return recorded.ToArray();
    }

    private static async Task RelayOnceAsync(TcpListener relay, IPEndPoint target, MemoryStream recorded)
    {
        using var initiator = await relay.AcceptTcpClientAsync();
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(target);
        var fromInitiator = CopyAsync(initiator.GetStream(), upstream.GetStream(), recorded);
        var fromTarget = CopyAsync(upstream.GetStream(), initiator.GetStream(), null);
        await Task.WhenAny(fromInitiator, fromTarget);
    }

    private static async Task CopyAsync(NetworkStream from, NetworkStream to, MemoryStream? record)
    {
        var buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                record?.Write(buffer, 0, read);
                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (IOException)
        {
            // the other side closed
        }

        to.Socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>PDUs as framed without digests (the initiator's default offer is None).</summary>
    private static List<(byte[] Header, byte[] Data)> Split(byte[] stream)
    {
        var result = new List<(byte[], byte[])>();
        var buffer = new ReadOnlySequence<byte>(stream);
        var header = new byte[Bhs.Length];
        var options = new PduReadOptions { MaxDataSegmentLength = 1 << 24 };
        while (PduReader.TryReadPdu(buffer, options, header, out var frame))
        {
            result.Add(((byte[])header.Clone(), frame.Data.ToArray()));
            buffer = buffer.Slice(frame.End);
        }

        return result;
    }

    /// <summary>Consecutive PDUs re-framed into byte windows, each data segment cut to 1 KiB to keep seeds small.</summary>
    private static IEnumerable<byte[]> Windows(List<(byte[] Header, byte[] Data)> pdus, int from, int to, int size)
    {
        for (var start = Math.Max(from, 0); start < to; start += size)
        {
            var bytes = new List<byte>();
            for (var i = start; i < Math.Min(to, start + size); i++)
            {
                var (header, data) = pdus[i];
                var segment = data.AsSpan(0, Math.Min(data.Length, 1024));
                var copy = (byte[])header.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(4), (uint)segment.Length); // TotalAHSLength 0: the AHS is not kept
                bytes.AddRange(copy);
                bytes.AddRange(segment);
                bytes.AddRange(new byte[PduReader.PaddingOf(segment.Length)]);
            }

            yield return [.. bytes];
        }
    }
}
