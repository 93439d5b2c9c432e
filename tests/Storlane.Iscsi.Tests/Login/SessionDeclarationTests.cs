using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Declarative keys, the first Login Request, session types and discovery (RFC 7143 6.3, 13).</summary>
public class SessionDeclarationTests
{
    private const string Initiator = "InitiatorName=" + NegotiationHarness.InitiatorName;
    private const string Target = "TargetName=" + NegotiationHarness.TargetName;

    [Fact]
    public void DeclarativeKeys_CapturedWithoutAnswer()
    {
        var harness = new NegotiationHarness();
        var outcome = harness.Send(LoginPhase.Security, Initiator, "InitiatorAlias=host one", Target, "SessionType=Normal");

        Assert.True(outcome.IsSuccess);
        Assert.Equal(NegotiationHarness.InitiatorName, harness.Negotiator.InitiatorName);
        Assert.Equal("host one", harness.Negotiator.InitiatorAlias);
        Assert.Equal(NegotiationHarness.TargetName, harness.Negotiator.TargetName);
        Assert.Equal(SessionType.Normal, harness.Negotiator.SessionType);
        Assert.True(harness.Negotiator.InitiatorNameSeen);
        Assert.Null(Pairs.Find(harness.Response, "InitiatorName"));
        Assert.Null(Pairs.Find(harness.Response, "InitiatorAlias"));
        Assert.Null(Pairs.Find(harness.Response, "TargetName"));
        Assert.Null(Pairs.Find(harness.Response, "SessionType"));
    }

    [Fact]
    public void MaxRecvDataSegmentLength_DeclaredByInitiator_BoundsWhatTheTargetSends()
    {
        // 13.12: declarative; the initiator states the largest data segment it can receive.
        var harness = NegotiationHarness.Normal();
        Assert.Null(harness.Answer("MaxRecvDataSegmentLength=65536"));
        Assert.Equal(65536, harness.Parameters.InitiatorMaxRecvDataSegmentLength);
        Assert.Equal(8192, harness.Parameters.TargetMaxRecvDataSegmentLength);
    }

    [Theory]
    [InlineData("MaxRecvDataSegmentLength=511")]
    [InlineData("MaxRecvDataSegmentLength=16777216")]
    [InlineData("MaxRecvDataSegmentLength=lots")]
    public void MaxRecvDataSegmentLength_OutsideRange_FailsLogin(string pair)
    {
        var harness = NegotiationHarness.Normal();
        var outcome = harness.Operational(pair);

        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
    }

    [Fact]
    public void FirstRequestWithoutInitiatorName_MissingParameter()
    {
        // "The initiator of the TCP connection MUST provide this key to the remote endpoint at the
        // first login of the Login Phase for every connection." (13.5)
        var harness = new NegotiationHarness();
        var outcome = harness.Send(LoginPhase.Security, Target, "SessionType=Normal");

        Assert.Equal(LoginStatus.MissingParameter, outcome.Status);
        Assert.False(harness.Negotiator.InitiatorNameSeen);
    }

    [Fact]
    public void NormalSessionWithoutTargetName_MissingParameter()
    {
        // TargetName: "MUST provide this key ... in the first Login Request if the initiator is not
        // establishing a Discovery session" (13.4). SessionType defaults to Normal (13.21).
        var harness = new NegotiationHarness();
        Assert.Equal(LoginStatus.MissingParameter, harness.Send(LoginPhase.Security, Initiator).Status);
    }

    [Fact]
    public void DiscoverySessionWithoutTargetName_Succeeds()
    {
        var harness = new NegotiationHarness();
        var outcome = harness.Send(LoginPhase.Security, Initiator, "SessionType=Discovery");

        Assert.True(outcome.IsSuccess);
        Assert.Equal(SessionType.Discovery, harness.Negotiator.SessionType);
        Assert.Null(harness.Negotiator.TargetName);
    }

    [Fact]
    public void UnknownSessionType_SessionTypeNotSupported()
    {
        var harness = new NegotiationHarness();
        var outcome = harness.Send(LoginPhase.Security, Initiator, Target, "SessionType=Maintenance");

        Assert.Equal(LoginStatus.SessionTypeNotSupported, outcome.Status);
    }

    [Fact]
    public void SessionTypeAfterFirstRequest_Fails()
    {
        var harness = new NegotiationHarness();
        Assert.True(harness.Send(LoginPhase.Security, Initiator, Target).IsSuccess);

        Assert.Equal(LoginStatus.InitiatorError, harness.Send(LoginPhase.Security, "SessionType=Discovery").Status);
    }

    [Theory]
    [InlineData("InitiatorName=host1")]
    [InlineData("InitiatorName=")]
    public void MalformedInitiatorName_InitiatorError(string pair)
    {
        var harness = new NegotiationHarness();
        Assert.Equal(LoginStatus.InitiatorError, harness.Send(LoginPhase.Security, pair, Target).Status);
    }

    [Fact]
    public void FirstResponse_NormalSession_CarriesTargetPortalGroupTag()
    {
        // "The iSCSI target returns this key to the initiator in the Login Response PDU to the first
        // Login Request PDU that has the C bit set to 0 when TargetName is given by the initiator." (13.9)
        var harness = new NegotiationHarness(new TargetNegotiationLimits { TargetPortalGroupTag = 7 });
        Assert.True(harness.Send(LoginPhase.Security, Initiator, Target, "SessionType=Normal").IsSuccess);
        Assert.Equal("7", Pairs.Find(harness.Response, "TargetPortalGroupTag"));

        // Declared once.
        Assert.True(harness.Operational("MaxBurstLength=65536").IsSuccess);
        Assert.Null(Pairs.Find(harness.Response, "TargetPortalGroupTag"));
        Assert.Null(Pairs.Find(harness.Declarations(), "TargetPortalGroupTag"));
    }

    [Fact]
    public void DiscoverySession_NoTargetPortalGroupTagOrAlias()
    {
        var harness = NegotiationHarness.Discovery(new TargetNegotiationLimits { TargetAlias = "disk one" });
        Assert.Null(Pairs.Find(harness.Response, "TargetPortalGroupTag"));
        Assert.True(harness.Operational("HeaderDigest=None").IsSuccess);

        var declared = harness.Declarations();
        Assert.Null(Pairs.Find(declared, "TargetPortalGroupTag"));
        Assert.Null(Pairs.Find(declared, "TargetAlias"));
        Assert.Equal("262144", Pairs.Find(declared, "MaxRecvDataSegmentLength"));
    }

    [Fact]
    public void DiscoverySession_OperationalKeysIrrelevant()
    {
        // Section 13 marks these "Irrelevant when: SessionType=Discovery".
        var harness = NegotiationHarness.Discovery();
        var outcome = harness.Operational(
            "MaxConnections=2", "InitialR2T=No", "ImmediateData=Yes", "MaxBurstLength=65536", "FirstBurstLength=4096",
            "MaxOutstandingR2T=4", "DataPDUInOrder=No", "DataSequenceInOrder=No", "TaskReporting=RFC3720", "iSCSIProtocolLevel=1");

        Assert.True(outcome.IsSuccess);
        Assert.Equal(10, harness.Response.Count);
        Assert.All(harness.Response, pair => Assert.Equal("Irrelevant", pair.Value));
        Assert.Equal(262144, harness.Parameters.MaxBurstLength);
    }

    [Fact]
    public void DiscoverySession_DigestsAndTimersStillNegotiated()
    {
        var harness = NegotiationHarness.Discovery();
        Assert.True(harness.Operational("HeaderDigest=CRC32C,None", "DefaultTime2Retain=0", "ErrorRecoveryLevel=0").IsSuccess);

        Assert.Equal("CRC32C", Pairs.Find(harness.Response, "HeaderDigest"));
        Assert.Equal("0", Pairs.Find(harness.Response, "DefaultTime2Retain"));
        Assert.Equal("0", Pairs.Find(harness.Response, "ErrorRecoveryLevel"));
    }

    [Fact]
    public void DiscoveryDeclaredInSameRequestAfterOtherKeys_StillAppliesToThem()
    {
        var harness = new NegotiationHarness();
        var outcome = harness.Send(LoginPhase.Operational, "MaxBurstLength=65536", Initiator, "SessionType=Discovery");

        Assert.True(outcome.IsSuccess);
        Assert.Equal("Irrelevant", Pairs.Find(harness.Response, "MaxBurstLength"));
    }

    [Fact]
    public void FirstBurstLength_IrrelevantWhenInitialR2TAndNoImmediateData()
    {
        // 13.14: "Irrelevant when: ( InitialR2T=Yes and ImmediateData=No )"; the FirstBurstLength
        // pair comes first, the keys that make it irrelevant after it.
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("FirstBurstLength=4096", "InitialR2T=Yes", "ImmediateData=No").IsSuccess);

        Assert.Equal("Irrelevant", Pairs.Find(harness.Response, "FirstBurstLength"));
        Assert.Equal(65536, harness.Parameters.FirstBurstLength);
    }

    [Fact]
    public void X_NodeArchitecture_Captured()
    {
        // X#NodeArchitecture (13.26) is declarative: captured, not answered.
        var harness = NegotiationHarness.Normal();
        Assert.Null(harness.Answer("X#NodeArchitecture=ExampleOS/v1234,ExampleInc_SW_Initiator/1.05a"));
        Assert.Equal("ExampleOS/v1234,ExampleInc_SW_Initiator/1.05a", harness.Negotiator.InitiatorNodeArchitecture);
    }
}
