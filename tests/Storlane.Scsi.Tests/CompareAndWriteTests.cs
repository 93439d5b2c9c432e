using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

public sealed class CompareAndWriteTests
{
    /// <summary>COMPARE AND WRITE: opcode 89h, LBA in bytes 2..9, NUMBER OF LOGICAL BLOCKS in byte 13.</summary>
    private static byte[] Caw(ulong lba, byte blocks, byte flags = 0)
    {
        var cdb = new byte[16];
        cdb[0] = 0x89;
        cdb[1] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(cdb.AsSpan(2), lba);
        cdb[13] = blocks;
        return cdb;
    }

    private static byte[] VerifyThenWrite(byte expected, byte written, int blocks = 1)
    {
        var data = new byte[2 * blocks * 512];
        data.AsSpan(0, blocks * 512).Fill(expected);
        data.AsSpan(blocks * 512).Fill(written);
        return data;
    }

    [Fact]
    public async Task CompareAndWrite_Match_WritesSecondHalf()
    {
        // SBC-3 5.2: compare the first NUMBER OF LOGICAL BLOCKS of data-out with the medium, then
        // write the second half.
        var harness = new ScsiHarness();
        await harness.Fill(5, 2, 0xAA);
        var reply = await harness.Run(Caw(5, 2), dataOut: VerifyThenWrite(0xAA, 0xBB, 2));
        reply.AssertGood();
        Assert.Equal(2048, reply.Result.DataOutLength);
        Assert.All(await harness.ReadBack(5, 2), b => Assert.Equal(0xBB, b));
    }

    [Fact]
    public async Task CompareAndWrite_Mismatch_IsMiscompareWithOffset_AndWritesNothing()
    {
        // SBC-3 5.2: MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION (1Dh/00h), INFORMATION = offset of
        // the first differing byte from the start of the Data-Out buffer (VALID = 1).
        var harness = new ScsiHarness();
        await harness.Fill(0, 1, 0xAA);
        var data = VerifyThenWrite(0xAA, 0xBB);
        data[300] = 0x00;
        var reply = await harness.Run(Caw(0, 1), dataOut: data);
        Assert.Equal("F0000E0000012C0A000000001D0000000000", Hex.Of(reply.Sense));
        Assert.All(await harness.ReadBack(0, 1), b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public async Task CompareAndWrite_MoreThanMaximumLength_IsInvalidFieldInCdb()
    {
        // SBC-3 6.5.3: beyond MAXIMUM COMPARE AND WRITE LENGTH (16): INVALID FIELD IN CDB.
        var harness = new ScsiHarness();
        (await harness.Run(Caw(0, 17), dataOut: new byte[2 * 17 * 512])).AssertInvalidFieldInCdb(13);
    }

    [Fact]
    public async Task CompareAndWrite_WrongDataOutSize_IsInvalidFieldInCdb()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Caw(0, 1), dataOut: new byte[4 * 512])).AssertInvalidFieldInCdb(13);
        (await harness.Run(Caw(0, 0), dataOut: new byte[2 * 512])).AssertInvalidFieldInCdb(13);
        (await harness.Run(Caw(0, 0))).AssertGood();
    }

    [Fact]
    public async Task CompareAndWrite_BeyondCapacity_IsLbaOutOfRange()
    {
        var harness = new ScsiHarness();
        (await harness.Run(Caw(2048, 1), dataOut: new byte[1024])).AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }

    [Fact]
    public async Task CompareAndWrite_ConcurrentInitiators_ExactlyOneWins()
    {
        // Eight initiators race COMPARE AND WRITE (0 -> own id) on one block: exactly one may win each
        // round, like VMware ATS locks on a shared datastore LUN.
        var harness = new ScsiHarness();
        for (var round = 0; round < 20; round++)
        {
            await harness.Fill(7, 1, 0x00);
            var winners = 0;
            var tasks = Enumerable.Range(1, 8).Select(id => Task.Run(async () =>
            {
                var reply = await harness.Run(Caw(7, 1), dataOut: VerifyThenWrite(0x00, (byte)id), nexus: ScsiHarness.NewNexus($"iqn.x:host{id}"));
                if (reply.Result.Status == ScsiStatus.Good)
                {
                    Interlocked.Increment(ref winners);
                }
            }));
            await Task.WhenAll(tasks);
            Assert.Equal(1, winners);
        }
    }
}
