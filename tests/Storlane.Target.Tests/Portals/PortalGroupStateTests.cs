using Storlane.Protocol.Scsi;
using Storlane.Scsi;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests.Portals;

/// <summary>
/// The ALUA state an administrator gives a portal group (PortalOptions.AluaState) is what REPORT TARGET
/// PORT GROUPS reports from the start (SPC-4 6.37), and a live change is an implicit transition that
/// every nexus hears of (SPC-4 5.16.2.6, ASYMMETRIC ACCESS STATE CHANGED).
/// </summary>
public sealed class PortalGroupStateTests
{
    /// <summary>REPORT TARGET PORT GROUPS, length format, allocation length 1024.</summary>
    private static readonly byte[] Rtpg = [0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 0x04, 0x00, 0, 0, 0, 0, 0, 0];

    private static Task<LoopbackTarget> StartAsync(TargetPortGroupState? group2) =>
        LoopbackTarget.StartAsync(options => options.Portals[1] = new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 2, AluaState = group2 });

    [Fact]
    public async Task ConfiguredState_IsReportedFromTheStart_WithoutAUnitAttention()
    {
        await using var target = await StartAsync(TargetPortGroupState.ActiveNonOptimized);
        await using var client = await target.LoginAsync(portal: 0);

        // Nobody was logged in when the state was set: the first command runs.
        var ready = await client.ReadAsync(ScsiCdb.TestUnitReady().ToArray(), 0, 0);
        Assert.Equal(0, ready.Status);

        // Group 1 active/optimized with no status; group 2 active/non-optimized (01h), STATUS CODE 02h (implicit).
        var report = await client.ReadAsync(Rtpg, 0, 1024);
        Assert.Equal(0, report.Status);
        Assert.Equal(
            Convert.FromHexString("00000018" + "000F000100000001" + "00000001" + "010F000200020001" + "00000002"),
            report.Data);
    }

    [Fact]
    public async Task StandbyGroup_RefusesMediumAccessThroughIt_FromTheStart()
    {
        await using var target = await StartAsync(TargetPortGroupState.Standby);
        await using var standby = await target.LoginAsync(portal: 1);
        await using var active = await target.LoginAsync(portal: 0);

        // SPC-4 5.16.2.4.4: NOT READY, LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE (04h/0Bh).
        var refused = await standby.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512);
        Assert.Equal((0x02, 0x04, 0x0B), (refused.SenseKey, refused.Asc, refused.Sense[13]));
        Assert.Equal(0, (await active.ReadAsync(ScsiCdb.Read10(0, 1).ToArray(), 0, 512)).Status);
    }

    [Fact]
    public async Task LiveChange_GivesEveryNexusAsymmetricAccessStateChanged_AndIsReported()
    {
        await using var target = await StartAsync(group2: null);
        await using var client = await target.LoginAsync(portal: 1);
        Assert.Equal(0, (await client.ReadAsync(ScsiCdb.TestUnitReady().ToArray(), 0, 0)).Status);

        target.Server.SetPortalGroupState(2, TargetPortGroupState.ActiveNonOptimized);

        // UNIT ATTENTION, ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h), once per unit.
        var attention = await client.ReadAsync(ScsiCdb.TestUnitReady().ToArray(), 0, 0);
        Assert.Equal((0x06, 0x2A, 0x06), (attention.SenseKey, attention.Asc, attention.Sense[13]));
        var report = await client.ReadAsync(Rtpg, 0, 1024);
        Assert.Equal(0x01, report.Data[16] & 0x0F); // group 2's descriptor follows group 1's (4 + 8 + 4 bytes)
    }

    [Fact]
    public async Task SettingAGroupTheTargetDoesNotHave_IsRefused()
    {
        await using var target = await StartAsync(group2: null);

        var error = Assert.Throws<ArgumentException>(() => target.Server.SetPortalGroupState(9, TargetPortGroupState.Standby));

        Assert.Contains("portal group 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoStatesForOneGroup_RefuseTheStart()
    {
        var start = LoopbackTarget.StartAsync(options =>
        {
            options.Portals[0] = new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 2, AluaState = TargetPortGroupState.Standby };
            options.Portals[1] = new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 2, AluaState = TargetPortGroupState.ActiveOptimized };
        });

        var error = await Assert.ThrowsAsync<TargetStartException>(() => start);

        Assert.Contains("portal group 2 is already Standby", error.Message, StringComparison.Ordinal);
    }
}
