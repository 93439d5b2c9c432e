using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>
/// Boolean keys: "the accepting party MUST respond with the same key and the result of the
/// negotiation when the received value does not determine that result by itself" (RFC 7143 6.2.2).
/// </summary>
public class BooleanNegotiationTests
{
    [Fact]
    public void InitialR2T_ResultIsOr()
    {
        // 13.10: "Result function is OR."
        var free = NegotiationHarness.Normal();
        Assert.Equal("No", free.Answer("InitialR2T=No"));
        Assert.False(free.Parameters.InitialR2T);

        var strict = NegotiationHarness.Normal(new TargetNegotiationLimits { RequireInitialR2T = true });
        Assert.Equal("Yes", strict.Answer("InitialR2T=No"));
        Assert.True(strict.Parameters.InitialR2T);
    }

    [Fact]
    public void InitialR2T_YesDecidesAnOr_NoAnswerNeeded()
    {
        // Answers are OPTIONAL when "The Boolean function is "OR" and the value "Yes" is received" (6.2.2).
        var harness = NegotiationHarness.Normal();
        Assert.Null(harness.Answer("InitialR2T=Yes"));
        Assert.True(harness.Parameters.InitialR2T);
    }

    [Fact]
    public void ImmediateData_ResultIsAnd()
    {
        // 13.11: "Result function is AND."
        var allowed = NegotiationHarness.Normal();
        Assert.Equal("Yes", allowed.Answer("ImmediateData=Yes"));
        Assert.True(allowed.Parameters.ImmediateData);

        var refused = NegotiationHarness.Normal(new TargetNegotiationLimits { AllowImmediateData = false });
        Assert.Equal("No", refused.Answer("ImmediateData=Yes"));
        Assert.False(refused.Parameters.ImmediateData);
    }

    [Fact]
    public void ImmediateData_NoDecidesAnAnd_NoAnswerNeeded()
    {
        // Answers are OPTIONAL when "The Boolean function is "AND" and the value "No" is received" (6.2.2).
        var harness = NegotiationHarness.Normal();
        Assert.Null(harness.Answer("ImmediateData=No"));
        Assert.False(harness.Parameters.ImmediateData);
    }

    [Fact]
    public void DataPduInOrder_ResultIsOr_TargetRequiresOrder()
    {
        // 13.18 and 13.19: "Result function is OR." The target delivers only in order, so it says Yes.
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("DataPDUInOrder=No", "DataSequenceInOrder=No").IsSuccess);

        Assert.Equal("Yes", Pairs.Find(harness.Response, "DataPDUInOrder"));
        Assert.Equal("Yes", Pairs.Find(harness.Response, "DataSequenceInOrder"));
        Assert.True(harness.Parameters.DataPduInOrder);
        Assert.True(harness.Parameters.DataSequenceInOrder);
    }

    [Theory]
    [InlineData("InitialR2T=yes")]
    [InlineData("ImmediateData=True")]
    [InlineData("DataPDUInOrder=1")]
    public void NonBooleanValue_AnsweredReject(string pair)
    {
        // boolean-value is "Yes" or "No", and values are case sensitive (6.1).
        var harness = NegotiationHarness.Normal();
        Assert.Equal("Reject", harness.Answer(pair));
    }
}
