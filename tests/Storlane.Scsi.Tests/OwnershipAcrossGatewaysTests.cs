using Storlane.Protocol.Scsi;

namespace Storlane.Scsi.Tests;

/// <summary>
/// Two gateways (target port groups 1 and 2) in front of one target: the lease owner reports
/// active/optimized, the other active/non-optimized; ownership moves on lease expiry and on drain,
/// and initiators hear of it through ASYMMETRIC ACCESS STATE CHANGED (SPC-4 5.16.2.6).
/// </summary>
public sealed class OwnershipAcrossGatewaysTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);

    private readonly FakeLease _lease = new();
    private readonly ScsiHarness _one = new(gatewayName: "gw1");
    private readonly ScsiHarness _two = new(gatewayName: "gw2");
    private readonly ItNexus _a = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a", portalGroup: 1);
    private readonly ItNexus _b = ScsiHarness.NewNexus("iqn.2025-01.dev.storlane:host-a", portalGroup: 2);

    private GatewayOwnership Ownership(ScsiHarness gateway, ushort group) => new(gateway.Target, group, [1, 2], _lease, Lease);

    /// <summary>REPORT TARGET PORT GROUPS: (group, asymmetric access state) per descriptor.</summary>
    private static async Task<List<(int Group, int State)>> Rtpg(ScsiHarness gateway, ItNexus nexus)
    {
        var reply = await gateway.Run("A3 0A 00 00 00 00 00 00 04 00 00 00", dataIn: 1024, nexus: nexus);
        reply.AssertGood();
        var data = reply.Data;
        var groups = new List<(int, int)>();
        for (var offset = 4; offset + 8 <= data.Length;)
        {
            groups.Add(((data[offset + 2] << 8) | data[offset + 3], data[offset] & 0x0F));
            offset += 8 + (4 * data[offset + 7]);
        }

        return groups;
    }

    [Fact]
    public async Task FirstGatewayToTakeTheLease_IsOptimized_TheOtherNonOptimized_OnBothGateways()
    {
        var one = Ownership(_one, 1);
        var two = Ownership(_two, 2);
        Assert.Equal((ushort)1, await one.RoundAsync(CancellationToken.None));
        Assert.Equal((ushort)1, await two.RoundAsync(CancellationToken.None));

        // Both gateways report both groups, with the same states (SPC-4 6.37 table 243 / 244).
        Assert.Equal([(1, 0), (2, 1)], await Rtpg(_one, _a));
        Assert.Equal([(1, 0), (2, 1)], await Rtpg(_two, _b));

        // Non-optimized still serves: RBD takes writes from every gateway (docs/scale-out.md).
        (await _two.Run(Cdb.Write10(0, 1), dataOut: new byte[512], nexus: _b)).AssertGood();
    }

    [Fact]
    public async Task OwnerThatStopsRenewing_LosesTheLease_AndInitiatorsHearAsymmetricAccessStateChanged()
    {
        (await _two.Run("00 00 00 00 00 00", nexus: _b)).AssertGood();
        var one = Ownership(_one, 1);
        var two = Ownership(_two, 2);
        await one.RoundAsync(CancellationToken.None);
        await two.RoundAsync(CancellationToken.None);
        (await _two.Run("00 00 00 00 00 00", nexus: _b)).AssertSense(SenseKey.UnitAttention, AdditionalSense.AsymmetricAccessStateChanged);

        // Gateway 1 dies (no more rounds); within the lease gateway 2 still sees it as owner.
        _lease.Now += Lease / 2;
        Assert.Equal((ushort)1, await two.RoundAsync(CancellationToken.None));
        (await _two.Run("00 00 00 00 00 00", nexus: _b)).AssertGood();

        _lease.Now += Lease;
        Assert.Equal((ushort)2, await two.RoundAsync(CancellationToken.None));
        (await _two.Run("00 00 00 00 00 00", nexus: _b)).AssertSense(SenseKey.UnitAttention, AdditionalSense.AsymmetricAccessStateChanged);
        Assert.Equal([(1, 1), (2, 0)], await Rtpg(_two, _b));
    }

    [Fact]
    public async Task DrainedOwner_HandsOver_WithinTheOtherGatewaysNextRound()
    {
        var one = Ownership(_one, 1);
        var two = Ownership(_two, 2);
        await one.RoundAsync(CancellationToken.None);
        await two.RoundAsync(CancellationToken.None);

        await one.DrainAsync(CancellationToken.None);
        Assert.Equal((ushort)2, await two.RoundAsync(CancellationToken.None));
        Assert.Equal((ushort)2, await one.RoundAsync(CancellationToken.None));
        Assert.Equal([(1, 1), (2, 0)], await Rtpg(_one, _a));
    }

    [Fact]
    public async Task GatewayCutOffFromTheLease_StopsClaimingOptimized()
    {
        var one = Ownership(_one, 1);
        await one.RoundAsync(CancellationToken.None);
        _lease.Reachable = false;
        Assert.Null(await one.RoundAsync(CancellationToken.None));
        Assert.Equal(TargetPortGroupState.ActiveNonOptimized, _one.Target.GetTargetPortGroupState(1));
    }
}
