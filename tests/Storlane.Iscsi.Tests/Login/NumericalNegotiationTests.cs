using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Numerical keys: "the value it selects becomes the negotiation result" by each key's result function (RFC 7143 6.2.2, 13).</summary>
public class NumericalNegotiationTests
{
    [Fact]
    public void MaxBurstLength_ResultIsMinimumOfOffers()
    {
        // 13.13: "Result function is Minimum."
        var capped = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 262144 });
        Assert.Equal("262144", capped.Answer("MaxBurstLength=1048576"));
        Assert.Equal(262144, capped.Parameters.MaxBurstLength);

        var roomy = NegotiationHarness.Normal();
        Assert.Equal("65536", roomy.Answer("MaxBurstLength=65536"));
        Assert.Equal(65536, roomy.Parameters.MaxBurstLength);
    }

    [Fact]
    public void FirstBurstLength_ResultIsMinimum_AndNeverAboveMaxBurstLength()
    {
        // 13.14: "Result function is Minimum." and "FirstBurstLength MUST NOT exceed MaxBurstLength."
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { FirstBurstLength = 131072 });
        Assert.True(harness.Operational("InitialR2T=No", "MaxBurstLength=32768", "FirstBurstLength=262144").IsSuccess);

        Assert.Equal("32768", Pairs.Find(harness.Response, "FirstBurstLength"));
        Assert.Equal(32768, harness.Parameters.FirstBurstLength);

        var other = NegotiationHarness.Normal(new TargetNegotiationLimits { FirstBurstLength = 131072 });
        Assert.Equal("131072", other.Answer("FirstBurstLength=262144"));
    }

    [Fact]
    public void FirstBurstLength_SeesMaxBurstLengthOfSameRequestWhateverTheOrder()
    {
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("FirstBurstLength=65536", "MaxBurstLength=16384").IsSuccess);

        Assert.Equal("16384", Pairs.Find(harness.Response, "FirstBurstLength"));
    }

    [Fact]
    public void MaxConnections_ResultIsMinimum()
    {
        // 13.2: "Result function is Minimum."
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxConnections = 4 });
        Assert.Equal("4", harness.Answer("MaxConnections=8"));
        Assert.Equal(4, harness.Parameters.MaxConnections);
    }

    [Fact]
    public void MaxOutstandingR2T_ResultIsMinimum()
    {
        // 13.17: "Result function is Minimum."
        var harness = NegotiationHarness.Normal();
        Assert.Equal("16", harness.Answer("MaxOutstandingR2T=64"));
        Assert.Equal(16, harness.Parameters.MaxOutstandingR2T);
    }

    [Fact]
    public void ErrorRecoveryLevel_ResultIsMinimum()
    {
        // 13.20: "Result function is Minimum."
        var harness = NegotiationHarness.Normal();
        Assert.Equal("0", harness.Answer("ErrorRecoveryLevel=2"));
        Assert.Equal(0, harness.Parameters.ErrorRecoveryLevel);
    }

    [Fact]
    public void DefaultTime2Wait_ResultIsMaximum()
    {
        // 13.15: "Result function is Maximum."
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { DefaultTime2Wait = 5 });
        Assert.Equal("5", harness.Answer("DefaultTime2Wait=0"));
        Assert.Equal(5, harness.Parameters.DefaultTime2Wait);

        var other = NegotiationHarness.Normal(new TargetNegotiationLimits { DefaultTime2Wait = 5 });
        Assert.Equal("10", other.Answer("DefaultTime2Wait=10"));
    }

    [Fact]
    public void DefaultTime2Retain_ResultIsMinimum()
    {
        // 13.16: "Result function is Minimum."
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { DefaultTime2Retain = 0 });
        Assert.Equal("0", harness.Answer("DefaultTime2Retain=20"));
        Assert.Equal(0, harness.Parameters.DefaultTime2Retain);
    }

    [Fact]
    public void IscsiProtocolLevel_ResultIsMinimum()
    {
        // RFC 7144 2.1: "Result function is Minimum."
        var harness = NegotiationHarness.Normal();
        Assert.Equal("1", harness.Answer("iSCSIProtocolLevel=2"));
        Assert.Equal(1, harness.Parameters.IscsiProtocolLevel);
    }

    [Fact]
    public void HexNumericalValue_Accepted()
    {
        // numerical-value: "an unsigned integer always less than 2**64 encoded as a decimal constant
        // or a hex constant" (6.1).
        var harness = NegotiationHarness.Normal();
        Assert.Equal("4096", harness.Answer("MaxBurstLength=0x1000"));
    }

    [Theory]
    [InlineData("MaxBurstLength=511")]
    [InlineData("MaxBurstLength=16777216")]
    [InlineData("MaxBurstLength=big")]
    [InlineData("MaxBurstLength=-1")]
    [InlineData("MaxBurstLength=")]
    [InlineData("MaxConnections=0")]
    [InlineData("ErrorRecoveryLevel=3")]
    [InlineData("DefaultTime2Wait=3601")]
    [InlineData("MaxOutstandingR2T=65536")]
    [InlineData("MaxBurstLength=99999999999999999999999")]
    public void OutOfRangeValue_AnsweredReject_AndValueKeepsDefault(string pair)
    {
        // "Proposing a value not admissible (e.g., not within the specified bounds) MAY be answered
        // with the constant "Reject"" (6.2.2). A rejected key keeps its current value.
        var harness = NegotiationHarness.Normal();
        var defaults = new OperationalParameters();

        Assert.Equal("Reject", harness.Answer(pair));
        Assert.Equal(defaults.MaxBurstLength, harness.Parameters.MaxBurstLength);
        Assert.Equal(defaults.MaxConnections, harness.Parameters.MaxConnections);
        Assert.Equal(defaults.ErrorRecoveryLevel, harness.Parameters.ErrorRecoveryLevel);
    }
}
