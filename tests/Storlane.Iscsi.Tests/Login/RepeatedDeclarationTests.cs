using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>
/// The identity declarations repeated during one login (RFC 7143 6.3, 13.4, 13.5, 13.21). libiscsi,
/// given CHAP credentials for a target that answers AuthMethod=None, sends InitiatorName, TargetName
/// and SessionType again in the operational stage: the same values say nothing new and are accepted;
/// a different value is a redeclaration and still refused, as is any negotiated key sent twice.
/// </summary>
public class RepeatedDeclarationTests
{
    private const string Initiator = "InitiatorName=" + NegotiationHarness.InitiatorName;
    private const string Target = "TargetName=" + NegotiationHarness.TargetName;

    [Fact]
    public void IdentityRepeatedWithSameValues_InOperationalStage_IsAccepted()
    {
        var harness = NegotiationHarness.Normal();

        var outcome = harness.Operational(Initiator, Target, "SessionType=Normal", "MaxBurstLength=65536");

        Assert.True(outcome.IsSuccess, outcome.ToString());
        Assert.Equal(NegotiationHarness.InitiatorName, harness.Negotiator.InitiatorName);
        Assert.Equal(NegotiationHarness.TargetName, harness.Negotiator.TargetName);
        Assert.Equal(SessionType.Normal, harness.Negotiator.SessionType);
        Assert.Equal("65536", Pairs.Find(harness.Response, "MaxBurstLength"));
        Assert.Null(Pairs.Find(harness.Response, "InitiatorName"));
        Assert.Null(Pairs.Find(harness.Response, "TargetName"));
        Assert.Null(Pairs.Find(harness.Response, "SessionType"));
    }

    [Fact]
    public void DiscoveryIdentityRepeatedWithSameValues_IsAccepted()
    {
        var harness = NegotiationHarness.Discovery();

        var outcome = harness.Operational(Initiator, "SessionType=Discovery");

        Assert.True(outcome.IsSuccess, outcome.ToString());
        Assert.Equal(SessionType.Discovery, harness.Negotiator.SessionType);
    }

    [Fact]
    public void InitiatorAliasRepeatedWithSameValue_IsAccepted()
    {
        var harness = new NegotiationHarness();
        Assert.True(harness.Send(LoginPhase.Security, Initiator, Target, "InitiatorAlias=host one").IsSuccess);

        Assert.True(harness.Operational("InitiatorAlias=host one").IsSuccess);
    }

    [Theory]
    [InlineData("InitiatorName=iqn.1994-05.com.example:host2")]
    [InlineData("TargetName=iqn.2025-01.dev.storlane:disk2")]
    [InlineData("SessionType=Discovery")]
    [InlineData("InitiatorAlias=someone else")]
    public void IdentityRedeclaredWithADifferentValue_FailsWithInitiatorError(string pair)
    {
        // "The InitiatorName MUST NOT be redeclared within the Login Phase." (13.5; 13.4 for
        // TargetName) "If such an attempt is detected by the target, the target MUST respond with
        // Login reject (initiator error)" (6.3)
        var harness = new NegotiationHarness();
        Assert.True(harness.Send(LoginPhase.Security, Initiator, Target, "SessionType=Normal", "InitiatorAlias=host one").IsSuccess);

        var outcome = harness.Operational(pair);

        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
        Assert.Equal(NegotiationHarness.InitiatorName, harness.Negotiator.InitiatorName);
        Assert.Equal(NegotiationHarness.TargetName, harness.Negotiator.TargetName);
        Assert.Equal(SessionType.Normal, harness.Negotiator.SessionType);
    }

    [Fact]
    public void NegotiatedKeyRepeatedWithSameValue_StillFails()
    {
        // Only declarations are tolerated: a second offer of a negotiated key is a renegotiation.
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("MaxBurstLength=65536").IsSuccess);

        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("MaxBurstLength=65536").Status);
    }

    [Fact]
    public void SessionTypeFirstDeclaredAfterTheFirstRequest_StillFails()
    {
        // Not a repeat: the first request left SessionType at its default, and a declaration must come first.
        var harness = new NegotiationHarness();
        Assert.True(harness.Send(LoginPhase.Security, Initiator, Target).IsSuccess);

        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("SessionType=Normal").Status);
    }
}
