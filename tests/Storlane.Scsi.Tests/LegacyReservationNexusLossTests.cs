using Storlane.Protocol.Scsi;

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
        _ = gateway.Target.RemoveNexus(_holder);
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

    /// <summary>
    /// RFC 7143 11.14: a Logout Response follows the cleanup. The connection answers when the task
    /// <see cref="ScsiTargetDevice.RemoveNexus"/> returns completes, so that task must not complete
    /// before the store has the release another gateway reads (where the initiator's next session may be).
    /// </summary>
    [Fact]
    public async Task RemoveNexus_OfAReserve6Holder_CompletesOnlyOnceTheSharedStoreHasTheRelease()
    {
        var store = new LateSharedState();
        var gateway = new ScsiHarness(options: new LogicalUnitOptions { SharedState = store }, gatewayName: "gw1");
        (await gateway.Run(Reserve6, nexus: _holder)).AssertGood();
        var reserved = store.Image;

        store.HoldWrites();
        var released = gateway.Target.RemoveNexus(_holder);
        Assert.Equal(1, store.Waiting);
        Assert.False(released.IsCompleted);
        Assert.Equal(reserved.Version, store.Image.Version);

        store.ReleaseWrites();
        await released.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(released.IsCompletedSuccessfully);
        Assert.Equal(reserved.Version + 1, store.Image.Version);

        // What another gateway loads now: no reservation, so its RESERVE(6) from another initiator is served.
        var other = new ScsiHarness(options: new LogicalUnitOptions { SharedState = store }, gatewayName: "gw2");
        (await other.Run(Reserve6, nexus: _other)).AssertGood();
    }

    /// <summary>
    /// A nexus with nothing to release in the shared state (no RESERVE(6), or one held by another
    /// initiator) ends at once: the logout is answered without waiting and without allocating a task.
    /// </summary>
    [Fact]
    public async Task RemoveNexus_WithNoReservationOfItsOwn_IsCompleteAtOnce()
    {
        var store = new LateSharedState();
        var gateway = new ScsiHarness(options: new LogicalUnitOptions { SharedState = store }, gatewayName: "gw1");
        (await gateway.Run(Reserve6, nexus: _holder)).AssertGood();

        store.HoldWrites();
        Assert.Same(Task.CompletedTask, gateway.Target.RemoveNexus(_other));
        Assert.Equal(0, store.Waiting);
        store.ReleaseWrites();
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
