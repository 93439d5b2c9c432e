using Storlane.Scsi;
using Storlane.Target;
using Storlane.Target.Portals;

namespace Storlane.Cli.Tests;

/// <summary>
/// A portal's <c>alua-state</c>: the ASYMMETRIC ACCESS STATE its portal group reports (SPC-4 5.16.2.4),
/// so dm-multipath's prio alua prefers one group. One state per group, named on any of its portals.
/// </summary>
public sealed class ConfigAluaStateTests
{
    private const string Target = """
        targets:
          - name: iqn.2026-11.io.storlane:a
            luns: [{ lun: 0, backend: memory, size: 1MiB }]
        """;

    [Theory]
    [InlineData("active-optimized", TargetPortGroupState.ActiveOptimized)]
    [InlineData("active-non-optimized", TargetPortGroupState.ActiveNonOptimized)]
    [InlineData("standby", TargetPortGroupState.Standby)]
    [InlineData("unavailable", TargetPortGroupState.Unavailable)]
    public void EachState_IsTheGroupsState(string name, TargetPortGroupState expected)
    {
        var options = ConfigAssert.Valid($"""
            portals:
              - address: 127.0.0.1
              - address: 127.0.0.2
                group: 2
                alua-state: {name}
            """ + "\n" + Target);

        Assert.Null(options.Portals[0].AluaState);
        Assert.Equal(expected, options.Portals[1].AluaState);
        var states = PortalGroupStates.Of(options.Portals, problems: null);
        Assert.Equal(TargetPortGroupState.ActiveOptimized, states[1]);
        Assert.Equal(expected, states[2]);
    }

    [Fact]
    public void NoAluaState_EveryGroupIsActiveOptimized()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - address: 127.0.0.1
              - { address: 127.0.0.2, group: 2 }
            """ + "\n" + Target);

        Assert.All(options.Portals, p => Assert.Null(p.AluaState));
        Assert.Equal(
            [(1, TargetPortGroupState.ActiveOptimized), (2, TargetPortGroupState.ActiveOptimized)],
            PortalGroupStates.Of(options.Portals, problems: null).Select(e => ((int)e.Key, e.Value)));
    }

    [Fact]
    public void AStateNamedOnOnePortal_IsTheStateOfItsWholeGroup()
    {
        var options = ConfigAssert.Valid("""
            portals:
              - { address: 127.0.0.1, group: 2 }
              - { address: 127.0.0.2, group: 2, alua-state: standby }
              - { address: 127.0.0.3, group: 2, alua-state: standby }
            """ + "\n" + Target);

        Assert.Equal(TargetPortGroupState.Standby, Assert.Single(PortalGroupStates.Of(options.Portals, problems: null)).Value);
    }

    [Fact]
    public void UnknownState_IsRefusedAtTheValue()
    {
        var error = ConfigAssert.SingleError("""
            portals:
              - address: 127.0.0.1
                alua-state: optimized
            """ + "\n" + Target, 3, 17);

        Assert.Equal("'alua-state' must be active-optimized, active-non-optimized, standby or unavailable, got 'optimized'", error.Message);
    }

    [Fact]
    public void TwoStatesForOneGroup_AreRefusedAtTheSecond()
    {
        var error = ConfigAssert.SingleError("""
            portals:
              - { address: 127.0.0.1, group: 2, alua-state: standby }
              - { address: 127.0.0.2 }
              - { address: 127.0.0.3, group: 2, alua-state: active-optimized }
            """ + "\n" + Target, 4, 49);

        Assert.Equal("portal group 2 is already 'standby' (line 2); the portals of one group share one ALUA state", error.Message);
    }

    [Fact]
    public void TwoStatesForOneGroup_FromAnEmbedder_AreNamedAsAProblem()
    {
        PortalOptions[] portals =
        [
            new() { Address = "127.0.0.1", Group = 3, AluaState = TargetPortGroupState.Standby },
            new() { Address = "127.0.0.2", Group = 3, AluaState = TargetPortGroupState.Unavailable },
        ];
        var problems = new List<string>();

        PortalGroupStates.Of(portals, problems);

        Assert.Equal("portal 127.0.0.2:3260: portal group 3 is already Standby; the portals of one group share one ALUA state", Assert.Single(problems));
    }
}
