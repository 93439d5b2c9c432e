namespace Storlane.Scsi.Tests;

public sealed class GetLbaStatusTests
{
    [Fact]
    public async Task GetLbaStatus_ReportsTheRestOfTheUnitAsMappedOrUnknown()
    {
        // SBC-3 5.20: PARAMETER DATA LENGTH (20), then one descriptor: LBA 100, 2048 - 100 blocks,
        // PROVISIONING STATUS 0h ("mapped or unknown").
        var harness = new ScsiHarness();
        var reply = await harness.Run("9E 12 0000000000000064 00000018 00 00", dataIn: 24);
        reply.AssertGood();
        Assert.Equal(Hex.Bytes("00000014 00000000 0000000000000064 0000079C 00 000000"), reply.Data);
    }

    [Fact]
    public async Task GetLbaStatus_StartBeyondTheLastLba_IsLbaOutOfRange()
    {
        // SBC-3 5.20.1: a STARTING LOGICAL BLOCK ADDRESS past the capacity is LBA OUT OF RANGE.
        var harness = new ScsiHarness();
        var reply = await harness.Run("9E 12 0000000000000800 00000018 00 00", dataIn: 24);
        reply.AssertSense(SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange);
    }
}
