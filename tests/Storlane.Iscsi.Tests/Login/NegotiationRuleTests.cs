using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Who may send which key, when, and how often (RFC 7143 6.2, 12, 13).</summary>
public class NegotiationRuleTests
{
    [Fact]
    public void UnknownKey_AnsweredNotUnderstood()
    {
        // "the answer for a key that is not understood MUST be key=NotUnderstood" (6.2)
        var harness = NegotiationHarness.Normal();
        Assert.Equal("NotUnderstood", harness.Answer("MaxBurstSize=65536"));
    }

    [Fact]
    public void PrivateExtensionKeys_AnsweredNotUnderstood()
    {
        // X- and X# keys (13.22) are not implemented by Storlane.
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("X-com.example.Turbo=Yes", "X#ExampleRegistered=1").IsSuccess);

        Assert.Equal(Pairs.Of("X-com.example.Turbo=NotUnderstood", "X#ExampleRegistered=NotUnderstood"), harness.Response);
    }

    [Theory]
    [InlineData("MaxBurstLength=Reject")]
    [InlineData("HeaderDigest=Irrelevant")]
    [InlineData("X-com.example.Key=NotUnderstood")]
    public void ReservedConstantProposed_IsProtocolError(string pair)
    {
        // "Violation of this rule is a protocol error (in particular the use of "Reject",
        // "Irrelevant", and "NotUnderstood" as proposed values)." (6.2)
        var harness = NegotiationHarness.Normal();
        Assert.Equal(LoginStatus.InitiatorError, harness.Operational(pair).Status);
    }

    [Theory]
    [InlineData("IFMarker=Yes")]
    [InlineData("OFMarker=No")]
    [InlineData("IFMarkInt=2048~8192")]
    [InlineData("OFMarkInt=2048")]
    public void ObsoleteMarkerKeys_AnsweredReject(string pair)
    {
        // "when an OFMarkInt or IFMarkInt key is received, a compliant iSCSI implementation MUST
        // respond with the constant "Reject" value" (13.25; SHOULD for IFMarker and OFMarker).
        var harness = NegotiationHarness.Normal();
        Assert.Equal("Reject", harness.Answer(pair));
    }

    [Fact]
    public void KeyRenegotiatedInLaterRequest_FailsWithInitiatorError()
    {
        // "Neither the initiator nor the target should attempt to declare or negotiate a parameter
        // more than once during login ... the target MUST respond with Login reject (initiator
        // error)" (6.3)
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("MaxBurstLength=65536").IsSuccess);

        var outcome = harness.Operational("MaxBurstLength=32768");

        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
        Assert.Contains("MaxBurstLength", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(65536, harness.Parameters.MaxBurstLength);
    }

    [Fact]
    public void KeyTwiceInOneRequest_FailsWithInitiatorError()
    {
        var harness = NegotiationHarness.Normal();
        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("ImmediateData=Yes", "ImmediateData=No").Status);
    }

    [Fact]
    public void FailedLogin_StaysFailed()
    {
        var harness = NegotiationHarness.Normal();
        var failure = harness.Operational("MaxBurstLength=Reject");

        var next = harness.Operational("MaxConnections=1");

        Assert.Equal(failure.Status, next.Status);
        Assert.Equal(failure.Reason, next.Reason);
        Assert.Empty(harness.Response);
    }

    [Fact]
    public void LeadingOnlyKey_OnNonLeadingConnection_FailsLogin()
    {
        // LO (leading only) keys belong to the Login Phase of the leading connection (13).
        var harness = NegotiationHarness.Normal(leading: false);
        var outcome = harness.Operational("MaxBurstLength=65536");

        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
        Assert.Contains("leading", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NonLeadingConnection_NegotiatesConnectionKeys()
    {
        // HeaderDigest/DataDigest are IO and MaxRecvDataSegmentLength is ALL: per connection.
        var harness = NegotiationHarness.Normal(leading: false);
        Assert.True(harness.Operational("HeaderDigest=CRC32C", "DataDigest=None", "MaxRecvDataSegmentLength=131072").IsSuccess);

        Assert.True(harness.Parameters.HeaderDigest);
        Assert.Equal(131072, harness.Parameters.InitiatorMaxRecvDataSegmentLength);
    }

    [Fact]
    public void NonLeadingConnection_RestatedSessionTypeNormal_Tolerated_DiscoveryRefused()
    {
        var normal = new NegotiationHarness(leading: false);
        Assert.True(normal.Send(LoginPhase.Security, "InitiatorName=" + NegotiationHarness.InitiatorName, "TargetName=" + NegotiationHarness.TargetName, "SessionType=Normal").IsSuccess);

        var discovery = new NegotiationHarness(leading: false);
        Assert.False(discovery.Send(LoginPhase.Security, "InitiatorName=" + NegotiationHarness.InitiatorName, "SessionType=Discovery").IsSuccess);
    }

    [Fact]
    public void OperationalKey_InSecurityPhase_Fails()
    {
        // "Only the following keys are used during the SecurityNegotiation stage ... Other keys MUST
        // NOT be used." (12)
        var harness = NegotiationHarness.Normal();
        var outcome = harness.Send(LoginPhase.Security, "MaxBurstLength=65536");

        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
        Assert.Contains("security", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SecurityKeys_InSecurityPhase_LeftToTheAuthenticator()
    {
        var harness = new NegotiationHarness();
        var outcome = harness.Send(LoginPhase.Security, "InitiatorName=" + NegotiationHarness.InitiatorName, "TargetName=" + NegotiationHarness.TargetName, "AuthMethod=CHAP,None", "CHAP_A=5");

        Assert.True(outcome.IsSuccess);
        Assert.Null(Pairs.Find(harness.Response, "AuthMethod"));
        Assert.Null(Pairs.Find(harness.Response, "CHAP_A"));
    }

    [Fact]
    public void SecurityKey_InOperationalPhase_Fails()
    {
        var harness = NegotiationHarness.Normal();
        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("AuthMethod=None").Status);
    }

    [Theory]
    [InlineData("TargetAlias=disk")]
    [InlineData("TargetAddress=10.0.0.1:3260,1")]
    [InlineData("TargetPortalGroupTag=1")]
    public void TargetOnlyKey_SentByInitiator_Fails(string pair)
    {
        var harness = NegotiationHarness.Normal();
        Assert.Equal(LoginStatus.InitiatorError, harness.Operational(pair).Status);
    }

    [Fact]
    public void SendTargets_DuringLogin_Fails()
    {
        // SendTargets: "Use: FFPO" (13.3).
        var harness = NegotiationHarness.Discovery();
        Assert.Equal(LoginStatus.InitiatorError, harness.Operational("SendTargets=All").Status);
    }
}
