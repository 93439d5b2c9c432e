using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>
/// "The responding party MUST respond with the same key and the first value that it supports (and is
/// allowed to use for the specific originator) selected from the originator list." (RFC 7143 6.2.1)
/// </summary>
public class ListNegotiationTests
{
    [Fact]
    public void HeaderDigest_FirstSupportedValueInTheInitiatorsOrder()
    {
        var harness = NegotiationHarness.Normal();
        Assert.True(harness.Operational("HeaderDigest=CRC32C,None", "DataDigest=None,CRC32C").IsSuccess);

        Assert.Equal("CRC32C", Pairs.Find(harness.Response, "HeaderDigest"));
        Assert.Equal("None", Pairs.Find(harness.Response, "DataDigest"));
        Assert.True(harness.Parameters.HeaderDigest);
        Assert.False(harness.Parameters.DataDigest);
    }

    [Fact]
    public void HeaderDigest_NotAllowed_NoneChosenWhenOffered()
    {
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { AllowHeaderDigest = false });
        Assert.Equal("None", harness.Answer("HeaderDigest=CRC32C,None"));
        Assert.False(harness.Parameters.HeaderDigest);
    }

    [Fact]
    public void NoneNotOffered_NoSupportedValue_AnsweredReject()
    {
        // ""None" is only a valid selection if it is explicitly proposed." (6.2.1)
        var harness = NegotiationHarness.Normal(new TargetNegotiationLimits { AllowDataDigest = false });
        Assert.Equal("Reject", harness.Answer("DataDigest=CRC32C"));
        Assert.False(harness.Parameters.DataDigest);
    }

    [Fact]
    public void UnknownListValues_AreIgnored()
    {
        // "If an acceptor does not understand any particular value in a list, it MUST ignore it." (6.2.1)
        var harness = NegotiationHarness.Normal();
        Assert.Equal("CRC32C", harness.Answer("HeaderDigest=X-com.example.Sha,CRC32C"));
    }

    [Fact]
    public void TaskReporting_OnlyRfc3720Supported()
    {
        var harness = NegotiationHarness.Normal();
        Assert.Equal("RFC3720", harness.Answer("TaskReporting=FastAbort,RFC3720"));
        Assert.Equal(TaskReportingMode.Rfc3720, harness.Parameters.TaskReporting);

        var other = NegotiationHarness.Normal();
        Assert.Equal("Reject", other.Answer("TaskReporting=ResponseFence,FastAbort"));
    }
}
