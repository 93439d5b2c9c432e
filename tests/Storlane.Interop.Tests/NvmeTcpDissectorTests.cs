using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Nvme;
using Storlane.Nvme.Target;
using Storlane.Nvme.Tests.Support;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Interop.Tests;

/// <summary>
/// Wireshark's nvme-tcp dissector reads a session with Storlane's NVMe/TCP target (driven by the
/// raw-PDU host over loopback): admin commands, then I/O with header and data digests, in-capsule
/// and R2T writes and multi-PDU reads. No PDU may be malformed, every digest must check, and the
/// commands sent must be the ones decoded: an independent reading of the wire format.
/// </summary>
public sealed class NvmeTcpDissectorTests
{
    private const string TargetName = "iqn.2026-11.io.storlane:nvme-wire";

    [ToolFact(ExternalTools.Tshark)]
    public async Task Tshark_DecodesASession_WithNoMalformedPdu_AndTheCommandsSent()
    {
        var device = new ScsiTargetDevice(TargetName);
        device.AddLogicalUnit(0, new MemoryBlockDevice(new BlockGeometry(512, 4096, 8192), BlockDeviceFeatures.Unmap));
        var options = new NvmeTargetOptions();
        options.Portals.Add(new NvmePortal("127.0.0.1", 0, 1, false));
        var nqn = NvmeTargetOptions.DeriveNqn(TargetName);
        options.Subsystems.Add(new NvmeSubsystemOptions(nqn, device, []));
        await using var server = new NvmeTcpServer(options, NullLoggerFactory.Instance);
        await server.StartAsync();
        var endpoint = server.ListeningPortals[0].Endpoint;
        var directory = Directory.CreateTempSubdirectory("storlane-nvme-wire-").FullName;
        try
        {
            var pcap = Path.Combine(directory, "nvme-tcp.pcap");
            await using var capture = await PacketCapture.StartAsync(endpoint.Port, pcap);
            await RunSessionAsync(endpoint, nqn);
            await capture.StopAsync();

            var packets = await capture.DecodeAsync(endpoint.Port, "nvme-tcp", ["nvme-tcp.check_hdgst:TRUE", "nvme-tcp.check_ddgst:TRUE"],
                "frame.number", "_ws.expert.severity", "_ws.expert.message", "nvme-tcp.type", "nvme.cmd.opc", "nvme.fabrics.cmd.fctype", "nvme-tcp.hdgst.status", "nvme-tcp.ddgst.status");
            var dump = string.Join("\n", packets.Select(p => string.Join(" | ", p)));

            var flagged = await capture.MatchingAsync(endpoint.Port, "nvme-tcp", "_ws.malformed || _ws.expert.severity >= error");
            Assert.True(flagged.Count == 0, $"tshark flagged {flagged.Count} packet(s) malformed or in error:\n{string.Join("\n", flagged.Select(p => string.Join(" | ", p)))}");
            var types = Values(packets, 3);
            var opcodes = Values(packets, 4);
            var fabrics = Values(packets, 5);
            foreach (var type in new[] { "0", "1", "4", "5", "6", "7", "9" })
            {
                Assert.True(types.Contains(type), $"PDU type {type} not decoded; decoded:\n{dump}");
            }

            // Identify, Get Log Page, Set Features, Keep Alive (admin); Write, Read, Flush, Reservation Register (I/O).
            foreach (var opcode in new[] { "0x06", "0x02", "0x09", "0x18", "0x01", "0x00", "0x0d" })
            {
                Assert.True(opcodes.Contains(opcode), $"opcode {opcode} not decoded; decoded:\n{dump}");
            }

            Assert.True(fabrics.Contains("0x01") && fabrics.Contains("0x00"), $"Connect and Property Set not decoded:\n{dump}");
            // Checksum status 1 is "good" (0 bad, 2 unverified): every digest of the I/O queue was checked and matched.
            Assert.Equal(["1"], Values(packets, 6));
            Assert.Equal(["1"], Values(packets, 7));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Every comma-separated value a field took in any packet, as tshark prints it.</summary>
    private static HashSet<string> Values(IReadOnlyList<string[]> packets, int column)
    {
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var packet in packets)
        {
            if (packet.Length > column)
            {
                foreach (var value in packet[column].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    values.Add(value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? "0x" + Convert.ToUInt32(value, 16).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : value);
                }
            }
        }

        return values;
    }

    private static async Task RunSessionAsync(System.Net.IPEndPoint endpoint, string nqn)
    {
        await using var admin = await TestHost.OpenAsync(endpoint);
        Assert.True((await admin.ConnectAsync(nqn)).Status.IsSuccess);
        await admin.IdentifyAsync(1);
        await admin.IdentifyAsync(0, 1);
        Assert.True((await admin.GetLogPageAsync((byte)LogPageId.Ana, 4096)).Completion.Status.IsSuccess);
        var queues = admin.NewCommand((byte)AdminOpcode.SetFeatures);
        BinaryPrimitives.WriteUInt32LittleEndian(queues.AsSpan(40), (uint)FeatureId.NumberOfQueues);
        Assert.True((await admin.ExecuteAsync(queues)).Status.IsSuccess);
        Assert.True((await admin.ExecuteAsync(admin.NewCommand((byte)AdminOpcode.KeepAlive))).Status.IsSuccess);

        await using var io = await TestHost.OpenAsync(endpoint, headerDigest: true, dataDigest: true);
        Assert.True((await io.ConnectAsync(nqn, qid: 1, controllerId: admin.ControllerId, sqsize: 127)).Status.IsSuccess);
        var block = new byte[4096];
        new Random(4420).NextBytes(block);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 1, 0, 8), block)).Status.IsSuccess);
        var large = new byte[64 * 1024];
        new Random(8009).NextBytes(large);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Write, 1, 8, 128), large, byR2T: true)).Status.IsSuccess);
        var (read, data) = await io.ExecuteWithDataAsync(io.IoCommand(IoOpcode.Read, 1, 8, 128), expectDataLength: large.Length);
        Assert.True(read.Status.IsSuccess);
        Assert.Equal(large, data);
        Assert.True((await io.ExecuteAsync(io.IoCommand(IoOpcode.Flush, 1, 0, 1))).Status.IsSuccess);
        var register = io.NewCommand((byte)IoOpcode.ReservationRegister, 1);
        var keys = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(keys.AsSpan(8), 0x4420);
        Assert.True((await io.ExecuteAsync(register, keys)).Status.IsSuccess);
    }
}
