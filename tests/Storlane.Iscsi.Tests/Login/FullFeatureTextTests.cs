using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Text Requests in full feature phase accept only keys whose use is ALL or FFPO (RFC 7143 13).</summary>
public class FullFeatureTextTests
{
    [Fact]
    public void MaxRecvDataSegmentLength_Redeclared_Updated()
    {
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("MaxRecvDataSegmentLength=8192").IsSuccess);

        Assert.True(harness.Send(LoginPhase.FullFeature, "MaxRecvDataSegmentLength=65536").IsSuccess);
        Assert.True(harness.Send(LoginPhase.FullFeature, "MaxRecvDataSegmentLength=32768").IsSuccess);

        Assert.Equal(32768, harness.Parameters.InitiatorMaxRecvDataSegmentLength);
        Assert.Empty(harness.Response);
    }

    [Fact]
    public void LeadingOnlyKey_InFullFeature_Fails()
    {
        var harness = NegotiationHarness.Normal();
        Assert.Equal(LoginStatus.InitiatorError, harness.Send(LoginPhase.FullFeature, "MaxBurstLength=65536").Status);
        Assert.Equal(LoginStatus.InitiatorError, harness.Send(LoginPhase.FullFeature, "HeaderDigest=None").Status);
        Assert.Equal(LoginStatus.InitiatorError, harness.Send(LoginPhase.FullFeature, "AuthMethod=None").Status);
    }

    [Fact]
    public void UnknownKey_InFullFeature_NotUnderstood()
    {
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Send(LoginPhase.FullFeature, "X-com.example.Stats=All").IsSuccess);
        Assert.Equal(Pairs.Of("X-com.example.Stats=NotUnderstood"), harness.Response);
    }

    [Fact]
    public void SendTargets_LeftForTheCaller()
    {
        var harness = NegotiationHarness.Discovery();
        var offered = Pairs.Of("SendTargets=All");
        var response = new List<KeyValuePair<string, string>>();

        Assert.True(harness.Negotiator.Process(LoginPhase.FullFeature, offered, response).IsSuccess);
        Assert.Empty(response);
        Assert.True(LoginNegotiator.TryGetSendTargets(offered, out var value));
        Assert.Equal("All", value);
        Assert.False(LoginNegotiator.TryGetSendTargets(Pairs.Of("X-a=1"), out _));
    }

    [Fact]
    public void FullFeatureFailure_DoesNotEndLaterExchanges()
    {
        var harness = NegotiationHarness.Normal();
        Assert.False(harness.Send(LoginPhase.FullFeature, "MaxBurstLength=1").IsSuccess);
        Assert.True(harness.Send(LoginPhase.FullFeature, "InitiatorAlias=renamed").IsSuccess);
        Assert.Equal("renamed", harness.Negotiator.InitiatorAlias);
    }
}
