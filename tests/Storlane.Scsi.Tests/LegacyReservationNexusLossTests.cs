namespace Storlane.Scsi.Tests;

/// <summary>
/// SPC-2 7.21: an SPC-2 reservation (RESERVE(6)/(10)) ends with its holder's I_T nexus. With a shared
/// store the gateway learns that the release landed a round trip after it asked; the reservation has
/// ended all the same, so nothing may conflict with it in that window.
/// </summary>
public sealed class LegacyReservationNexusLossTests
{
    private const string Reserve6 = "16 00 00 00 00 00";
    private const string TestUnitReady = "00 00 00 00 00 00";

    private readonly ItNexus _holder = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a");
    private readonly ItNexus _other = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-b");

    [Fact]
    public async Task Reserve6HolderWhoseNexusEnded_DoesNotConflict_WhileTheSharedStoreHearsOfTheRelease()
    {
        var store = new LateSharedState();
        var gateway = new ScsiHarness(options: new LogicalUnitOptions { SharedState = store }, gatewayName: "gw1");
        (await gateway.Run(Reserve6, nexus: _holder)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await gateway.Run(TestUnitReady, nexus: _other)).Result.Status);

        // The holder's session ends; the release is on its way to the store but not confirmed.
        store.HoldWrites();
        gateway.Target.RemoveNexus(_holder);
        Assert.Equal(1, store.Waiting);

        // SPC-2 7.21: the reservation is gone with the nexus: another initiator's commands are served.
        (await gateway.Run(TestUnitReady, nexus: _other)).AssertGood();
        (await gateway.Run(Cdb.Read10(0, 1), dataIn: 512, nexus: _other)).AssertGood();
        (await gateway.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _other)).AssertGood();

        // Once the store has it, the other initiator may reserve in turn, and the old holder's
        // release is what the store keeps.
        store.ReleaseWrites();
        await WaitUntil(() => store.Waiting == 0 && store.Image.Version == 2);
        (await gateway.Run(Reserve6, nexus: _other)).AssertGood();
        Assert.Equal(ScsiStatus.ReservationConflict, (await gateway.Run(TestUnitReady, nexus: _holder)).Result.Status);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
