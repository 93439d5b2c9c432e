using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Storlane.Nvme.Tcp;
using Storlane.Nvme.Tests.Support;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// The hot path's budget (ARCHITECTURE.md habit 3) on the NVMe/TCP side: a 4 KiB Read or Write
/// round trip through an I/O queue allocates nothing once warm, whether the response is a CapsuleResp
/// or a C2HData with SUCCESS. The host here is the test thread with PDUs built once and a blocking
/// socket, so the count is the queue's alone.
/// </summary>
/// <remarks>
/// The queue's work hops threads (read loop, writer loop), so the count is the process-wide
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>, as BenchmarkDotNet's MemoryDiagnoser's, with this
/// collection run alone. The test host allocates beside it now and then (a timer, the previous
/// test's report), so round trips run in batches and the quietest is judged: one object per round
/// trip is at least 24 bytes in every batch; the bound is half that.
/// </remarks>
[Collection(NvmeRoundTripAllocationCollection.Name)]
public class RoundTripAllocationTests
{
    private const int WarmUpRoundTrips = 3_000;
    private const int Batches = 10;
    private const int RoundTripsPerBatch = 2_000;
    private const long MaxBytesPerBatch = RoundTripsPerBatch * 12L;
    private const int BlockBytes = 4096;

    // Namespace 2 is the fixture's 4096-byte LUN 1.
    private const uint Nsid = 2;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read4KiB_AllocatesNothingPerRoundTrip(bool successFlag)
    {
        var batches = await MeasureAsync(successFlag, IoOpcode.Read);
        Assert.True(batches.Min() < MaxBytesPerBatch, $"Read: bytes allocated per batch of {RoundTripsPerBatch} round trips: {string.Join(", ", batches)}");
    }

    [Fact]
    public async Task Write4KiB_InCapsule_AllocatesNothingPerRoundTrip()
    {
        var batches = await MeasureAsync(false, IoOpcode.Write);
        Assert.True(batches.Min() < MaxBytesPerBatch, $"Write: bytes allocated per batch of {RoundTripsPerBatch} round trips: {string.Join(", ", batches)}");
    }

    private static async Task<long[]> MeasureAsync(bool successFlag, IoOpcode opcode)
    {
        await using var target = await TargetFixture.StartAsync();
        await using var admin = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await admin.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        await using var io = await TestHost.OpenAsync(target.IoEndpoint);
        var cattr = (byte)(successFlag ? 0b100 : 0);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: admin.ControllerId, sqsize: 127, cattr: cattr)).Status.IsSuccess);

        var command = Capsule(io.IoCommand(opcode, Nsid, 7, 1), opcode == IoOpcode.Write);
        return await RunBatchesAsync(io.Stream, command, new byte[PduLayout.DataHeaderLength + BlockBytes]);
    }

    private static async Task<long[]> RunBatchesAsync(NetworkStream stream, byte[] command, byte[] received)
    {
        for (var i = 0; i < WarmUpRoundTrips; i++)
        {
            Assert.True(await RoundTripAsync(stream, command, received).ConfigureAwait(false));
        }

        var batches = new long[Batches];
        var failed = 0;
        for (var batch = 0; batch < Batches; batch++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < RoundTripsPerBatch; i++)
            {
                failed += await RoundTripAsync(stream, command, received).ConfigureAwait(false) ? 0 : 1;
            }

            batches[batch] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Assert.Equal(0, failed);
        return batches;
    }

    /// <summary>A CapsuleCmd with the SQE and, for a write, 4 KiB of in-capsule data (SGL: offset 0 in the capsule).</summary>
    private static byte[] Capsule(byte[] sqe, bool withData)
    {
        var pdo = withData ? PduLayout.CapsuleCmdHeaderLength : 0;
        var plen = PduLayout.CapsuleCmdHeaderLength + (withData ? BlockBytes : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(32), BlockBytes);
        sqe[39] = withData ? SubmissionEntry.SglInCapsule : SubmissionEntry.SglTransport;
        var pdu = new byte[plen];
        pdu[0] = (byte)PduType.CapsuleCmd;
        pdu[2] = PduLayout.CapsuleCmdHeaderLength;
        pdu[3] = (byte)pdo;
        BinaryPrimitives.WriteUInt32LittleEndian(pdu.AsSpan(4), (uint)plen);
        sqe.CopyTo(pdu, PduLayout.CommonHeaderLength);
        return pdu;
    }

    /// <summary>
    /// Sends the command and reads PDUs until it completes; true on success. The socket's async
    /// operations reuse one event-args object and the state machine is pooled, so the host side
    /// allocates nothing (blocking calls on a socket that has gone non-blocking allocate a wait
    /// operation each).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> RoundTripAsync(NetworkStream stream, byte[] command, byte[] received)
    {
        await stream.WriteAsync(command).ConfigureAwait(false);
        while (true)
        {
            await ReceiveAsync(stream, received.AsMemory(0, PduLayout.CommonHeaderLength)).ConfigureAwait(false);
            var plen = (int)BinaryPrimitives.ReadUInt32LittleEndian(received.AsSpan(4));
            if (plen > received.Length)
            {
                return false;
            }

            await ReceiveAsync(stream, received.AsMemory(PduLayout.CommonHeaderLength, plen - PduLayout.CommonHeaderLength)).ConfigureAwait(false);
            switch ((PduType)received[0])
            {
                case PduType.CapsuleResp:
                    // Status field: CQE bytes 14..15, bit 0 the phase tag.
                    return (BinaryPrimitives.ReadUInt16LittleEndian(received.AsSpan(PduLayout.CommonHeaderLength + 14)) >> 1) == 0;
                case PduType.C2HData when ((PduFlags)received[1] & PduFlags.Success) != 0:
                    return true;
                case PduType.C2HData:
                    continue;
                default:
                    return false;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ReceiveAsync(NetworkStream stream, Memory<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var read = await stream.ReadAsync(destination).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the target closed the connection");
            }

            destination = destination[read..];
        }
    }
}

/// <summary>Process-wide allocation counts need the process to themselves: no other test runs beside these.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NvmeRoundTripAllocationCollection
{
    public const string Name = "NVMe round-trip allocations";
}
