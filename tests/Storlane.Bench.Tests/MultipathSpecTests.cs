using Storlane.Bench.Targets;
using Storlane.Initiator.Multipath;

namespace Storlane.Bench.Tests;

/// <summary>The <c>multipath:POLICY:URL|URL</c> target syntax: a contract with the lab, which writes these specs.</summary>
public sealed class MultipathSpecTests
{
    private const string A = "iscsi://10.231.1.2:3260/iqn.2026-11.io.storlane:lab/0";
    private const string B = "iscsi://10.231.2.2:3260/iqn.2026-11.io.storlane:lab/0";

    [Theory]
    [InlineData("failover-only", PathPolicy.FailoverOnly)]
    [InlineData("round-robin", PathPolicy.RoundRobin)]
    [InlineData("round-robin-with-subset", PathPolicy.RoundRobinWithSubset)]
    [InlineData("least-queue-depth", PathPolicy.LeastQueueDepth)]
    [InlineData("weighted-paths", PathPolicy.WeightedPaths)]
    [InlineData("least-blocks", PathPolicy.LeastBlocks)]
    [InlineData("service-time", PathPolicy.ServiceTime)]
    [InlineData("adaptive-latency", PathPolicy.AdaptiveLatency)]
    [InlineData("fo", PathPolicy.FailoverOnly)]
    [InlineData("rr", PathPolicy.RoundRobin)]
    [InlineData("rrws", PathPolicy.RoundRobinWithSubset)]
    [InlineData("lqd", PathPolicy.LeastQueueDepth)]
    [InlineData("wp", PathPolicy.WeightedPaths)]
    [InlineData("lb", PathPolicy.LeastBlocks)]
    [InlineData("st", PathPolicy.ServiceTime)]
    [InlineData("al", PathPolicy.AdaptiveLatency)]
    [InlineData("Least-Queue-Depth", PathPolicy.LeastQueueDepth)]
    public void EveryPolicyName_AndShortForm_Parses(string name, PathPolicy policy)
    {
        var spec = MultipathTargetSpec.Parse($"multipath:{name}:{A}|{B}");

        Assert.Equal(policy, spec.Policy);
        Assert.Equal(["10.231.1.2:3260", "10.231.2.2:3260"], spec.Paths.Select(p => p.Url.Portal));
    }

    [Fact]
    public void EveryPolicy_HasAKebabCaseName()
    {
        foreach (var policy in Enum.GetValues<PathPolicy>())
        {
            var name = PathPolicyNames.Name(policy);
            Assert.True(PathPolicyNames.TryParse(name, out var back));
            Assert.Equal(policy, back);
            Assert.Equal(name.ToLowerInvariant(), name);
        }
    }

    [Fact]
    public void LocalAddressQuery_IsPassedThroughWithTheUrl()
    {
        var spec = MultipathTargetSpec.Parse($"multipath:least-queue-depth:{A}?local_address=10.231.1.1|{B}");

        Assert.Equal("10.231.1.1", spec.Paths[0].Url.LocalAddress?.ToString());
        Assert.Null(spec.Paths[1].Url.LocalAddress);
    }

    [Fact]
    public void WeightSuffix_SetsThePathsWeight()
    {
        var spec = MultipathTargetSpec.Parse($"multipath:wp:{A}~weight=5|{B}~weight=1");

        Assert.Equal([5, 1], spec.Paths.Select(p => p.Weight));
        Assert.All(spec.Paths, p => Assert.False(p.IsStandby));
    }

    [Fact]
    public void StandbySuffix_MarksTheStandbySet_AndCombinesWithAQuery()
    {
        var spec = MultipathTargetSpec.Parse($"multipath:rrws:{A}|{B}?local_address=10.231.2.1~standby");

        Assert.Equal([false, true], spec.Paths.Select(p => p.IsStandby));
        Assert.Equal("10.231.2.1", spec.Paths[1].Url.LocalAddress?.ToString());
    }

    [Fact]
    public void FailoverOnly_OpensStandbyPathsLast_SoTheyAreUsedOnlyAfterTheOthers()
    {
        var spec = MultipathTargetSpec.Parse($"multipath:failover-only:{A}~standby|{B}");

        Assert.Equal(["10.231.2.2:3260", "10.231.1.2:3260"], spec.OpenOrder().Select(p => p.Url.Portal));
        Assert.Equal(["10.231.1.2:3260", "10.231.2.2:3260"], spec.Paths.Select(p => p.Url.Portal));
    }

    [Fact]
    public void Spec_IsWrittenBackCanonical_WithoutSecrets()
    {
        var spec = MultipathTargetSpec.Parse($"multipath:WP:iscsi://alice%0123456789ab@10.231.1.2/iqn.2026-11.io.storlane:lab/0~weight=2|{B}");

        Assert.Equal($"multipath:weighted-paths:iscsi://alice%***@10.231.1.2:3260/iqn.2026-11.io.storlane:lab/0~weight=2|{B}", spec.ToString());
    }

    [Theory]
    [InlineData("multipath:fastest:" + A, "unknown policy 'fastest'")]
    [InlineData("multipath:rr:", "names no URL")]
    [InlineData("multipath:rr:|", "names no URL")]
    [InlineData("multipath:rr", "names no policy and no URL")]
    [InlineData("multipath:rr:iscsi://10.231.1.2/iqn.x", "needs a target name and a LUN")]
    [InlineData("multipath:rr:http://10.231.1.2/iqn.x/0", "bad iSCSI URL")]
    [InlineData("multipath:rr:" + A + "|" + A, "twice")]
    [InlineData("multipath:rr:" + A + "~stanby", "unknown path option '~stanby'")]
    [InlineData("multipath:wp:" + A + "~weight=-1", "weight '-1'")]
    [InlineData("multipath:wp:" + A + "~weight=", "weight ''")]
    [InlineData("multipath:rr:" + A + "~weight=2", "applies to weighted-paths")]
    [InlineData("multipath:lqd:" + A + "~standby", "applies to round-robin-with-subset and failover-only")]
    [InlineData("multipath:rrws:" + A + "~standby|" + B + "~standby", "needs at least one active path")]
    public void BadSpecs_AreRefusedWithAReason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => MultipathTargetSpec.Parse(text));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_RefusesABadMultipathSpec_BeforeConnecting()
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => BenchTargetFactory.OpenAsync("multipath:bogus:" + A));

        Assert.Contains("one of failover-only (fo), round-robin (rr)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Syntax_NamesTheMultipathFormAndEveryPolicy()
    {
        Assert.Contains("multipath:POLICY:URL|URL", BenchTargetFactory.Syntax, StringComparison.Ordinal);
        foreach (var policy in Enum.GetValues<PathPolicy>())
        {
            Assert.Contains(PathPolicyNames.Name(policy), BenchTargetFactory.Syntax, StringComparison.Ordinal);
        }
    }
}
