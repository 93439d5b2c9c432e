using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>What the target declares and offers on its own, and the initiator's answers to its offers.</summary>
public class TargetDeclarationTests
{
    [Fact]
    public void OperationalStage_DeclaresMaxRecvDataSegmentLengthAndAliasOnce()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxRecvDataSegmentLength = 65536, TargetAlias = "disk one" });
        Assert.True(harness.Operational("MaxRecvDataSegmentLength=262144").IsSuccess);

        var declared = harness.Declarations();

        Assert.Equal("65536", Pairs.Find(declared, "MaxRecvDataSegmentLength"));
        Assert.Equal("disk one", Pairs.Find(declared, "TargetAlias"));
        Assert.Equal(65536, harness.Parameters.TargetMaxRecvDataSegmentLength);
        Assert.Equal(262144, harness.Parameters.InitiatorMaxRecvDataSegmentLength);
        Assert.Empty(harness.Declarations());
    }

    [Fact]
    public void SecurityStage_OnlyDeclarationsAllowedThere()
    {
        // MaxRecvDataSegmentLength is not among the keys RFC 7143 12 allows in the security stage.
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { TargetAlias = "disk one" });

        var declared = harness.Declarations();

        Assert.Equal(Pairs.Of("TargetAlias=disk one"), declared);
        Assert.Equal(8192, harness.Parameters.TargetMaxRecvDataSegmentLength);
    }

    [Fact]
    public void CapBelowDefault_TargetOffersMaxBurstLength_AndAwaitsTheAnswer()
    {
        // MaxBurstLength defaults to 262144 (13.13); a target that cannot take that must say so.
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536, FirstBurstLength = 65536 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);

        var declared = harness.Declarations();

        Assert.Equal("65536", Pairs.Find(declared, "MaxBurstLength"));
        Assert.Null(Pairs.Find(declared, "FirstBurstLength")); // the default 65536 already fits
        Assert.True(harness.Negotiator.AwaitingInitiatorResponses);
    }

    [Fact]
    public void InitiatorAnswerToTargetOffer_IsAResponseNotAnOffer()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);
        harness.Declarations();

        var outcome = harness.Operational("MaxBurstLength=32768");

        Assert.True(outcome.IsSuccess);
        Assert.Null(Pairs.Find(harness.Response, "MaxBurstLength")); // not answered back
        Assert.Equal(32768, harness.Parameters.MaxBurstLength);
        Assert.False(harness.Negotiator.AwaitingInitiatorResponses);
    }

    [Fact]
    public void SmallMaxBurstLength_TargetAlsoOffersFirstBurstLengthBelowIt()
    {
        // "FirstBurstLength MUST NOT exceed MaxBurstLength." (13.14): the default 65536 would.
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 16384, FirstBurstLength = 16384 });
        Assert.True(harness.Operational("ImmediateData=Yes").IsSuccess);

        var declared = harness.Declarations();
        Assert.Equal("16384", Pairs.Find(declared, "MaxBurstLength"));
        Assert.Equal("16384", Pairs.Find(declared, "FirstBurstLength"));

        Assert.True(harness.Operational("MaxBurstLength=16384", "FirstBurstLength=8192").IsSuccess);
        Assert.Equal(16384, harness.Parameters.MaxBurstLength);
        Assert.Equal(8192, harness.Parameters.FirstBurstLength);
    }

    [Fact]
    public void AnswerAboveTheTargetsOfferForMinimumKey_IsProtocolError()
    {
        // "The selection by the acceptor of a value not admissible under the selection rules is
        // considered a protocol error." (6.2.2)
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);
        harness.Declarations();

        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("MaxBurstLength=262144").Status);
    }

    [Fact]
    public void TargetOfferAnsweredTwice_IsProtocolError()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);
        harness.Declarations();

        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("MaxBurstLength=32768", "MaxBurstLength=16384").Status);
        Assert.Empty(harness.Response);
    }

    [Fact]
    public void TargetOfferRejected_WhenDefaultUnusable_FailsLogin()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);
        harness.Declarations();

        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("MaxBurstLength=Reject").Status);
    }

    [Fact]
    public void TargetOfferNotAnsweredInNextRequest_FailsLogin()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { DefaultTime2Retain = 0 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);
        Assert.Equal("0", Pairs.Find(harness.Declarations(), "DefaultTime2Retain"));

        var outcome = harness.Operational("ImmediateData=Yes");

        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
        Assert.Contains("DefaultTime2Retain", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MaximumKeyOffer_AnswerAtOrAboveOfferAccepted()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { DefaultTime2Wait = 4 });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);
        Assert.Equal("4", Pairs.Find(harness.Declarations(), "DefaultTime2Wait"));

        Assert.True(harness.Operational("DefaultTime2Wait=6").IsSuccess);
        Assert.Equal(6, harness.Parameters.DefaultTime2Wait);
    }

    [Fact]
    public void ImmediateDataNotAllowed_TargetOffersNo_OutcomeDecidedWithoutAnswer()
    {
        // AND with "No" is "No": answers are OPTIONAL in that case (6.2.2), so nothing is awaited.
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { AllowImmediateData = false });
        Assert.True(harness.Operational("InitialR2T=No").IsSuccess);

        var declared = harness.Declarations();

        Assert.Equal("No", Pairs.Find(declared, "ImmediateData"));
        Assert.False(harness.Parameters.ImmediateData);
        Assert.False(harness.Negotiator.AwaitingInitiatorResponses);
    }

    [Fact]
    public void DecidedOffer_OptionalAnswerAccepted_ContraryAnswerRefused()
    {
        var limits = new TargetNegotiationLimits { AllowImmediateData = false };
        var agreeing = NegotiationHarness.Normal(limits);
        Assert.True(agreeing.Operational("InitialR2T=No").IsSuccess);
        agreeing.Declarations();
        Assert.True(agreeing.Operational("ImmediateData=No").IsSuccess);
        Assert.Empty(agreeing.Response);

        var contrary = NegotiationHarness.Normal(limits);
        Assert.True(contrary.Operational("InitialR2T=No").IsSuccess);
        contrary.Declarations();
        Assert.Equal(LoginStatus.InitiatorError, contrary.Operational("ImmediateData=Yes").Status);

        // Too late: after the next request an ImmediateData is a renegotiation.
        var late = NegotiationHarness.Normal(limits);
        Assert.True(late.Operational("InitialR2T=No").IsSuccess);
        late.Declarations();
        Assert.True(late.Operational("MaxConnections=1").IsSuccess);
        Assert.Equal(LoginStatus.InitiatorError, late.Operational("ImmediateData=No").Status);
    }

    [Fact]
    public void KeysTheInitiatorNegotiated_AreNotOfferedAgain()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536 });
        Assert.True(harness.Operational("MaxBurstLength=Big").IsSuccess); // answered Reject, still negotiated

        Assert.Null(Pairs.Find(harness.Declarations(), "MaxBurstLength"));
    }

    [Fact]
    public void NonLeadingConnection_OffersNothingSessionWide()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { MaxBurstLength = 65536 }, leading: false);
        Assert.True(harness.Operational("HeaderDigest=None").IsSuccess);

        var declared = harness.Declarations();

        Assert.Null(Pairs.Find(declared, "MaxBurstLength"));
        Assert.NotNull(Pairs.Find(declared, "MaxRecvDataSegmentLength"));
    }

    [Fact]
    public void InvalidLimits_ThrowAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoginNegotiator(new TargetNegotiationLimits { MaxBurstLength = 100 }, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoginNegotiator(new TargetNegotiationLimits { ErrorRecoveryLevel = 3 }, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoginNegotiator(new TargetNegotiationLimits { FirstBurstLength = 100 }, true));
    }
}
