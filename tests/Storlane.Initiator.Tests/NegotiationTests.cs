using Storlane.Iscsi;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Initiator;
using Storlane.Iscsi.Login;

namespace Storlane.Initiator.Tests;

public class NegotiationTests
{
    private static List<KeyValuePair<string, string>> Pairs(params (string Key, string Value)[] pairs) => [.. pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value))];

    private static InitiatorNegotiation Offered(InitiatorOffer? offer = null, SessionType type = SessionType.Normal)
    {
        var negotiation = new InitiatorNegotiation(offer ?? new InitiatorOffer(), type);
        negotiation.AppendOffers([]);
        return negotiation;
    }

    [Fact]
    public void AppendOffers_NormalSession_OffersEveryOperationalKey()
    {
        var offers = new List<KeyValuePair<string, string>>();
        new InitiatorNegotiation(new InitiatorOffer(), SessionType.Normal).AppendOffers(offers);
        var keys = offers.Select(p => p.Key).ToHashSet();
        foreach (var key in new[]
        {
            TextKeys.HeaderDigest, TextKeys.DataDigest, TextKeys.MaxRecvDataSegmentLength, TextKeys.InitialR2T, TextKeys.ImmediateData,
            TextKeys.FirstBurstLength, TextKeys.MaxBurstLength, TextKeys.MaxOutstandingR2T, TextKeys.DefaultTime2Wait,
            TextKeys.DefaultTime2Retain, TextKeys.ErrorRecoveryLevel, TextKeys.MaxConnections, TextKeys.DataPduInOrder, TextKeys.DataSequenceInOrder,
        })
        {
            Assert.Contains(key, keys);
        }
    }

    [Fact]
    public void AppendOffers_Discovery_LeavesOutKeysIrrelevantToDiscovery()
    {
        var offers = new List<KeyValuePair<string, string>>();
        new InitiatorNegotiation(new InitiatorOffer(), SessionType.Discovery).AppendOffers(offers);
        Assert.DoesNotContain(offers, p => p.Key is TextKeys.MaxBurstLength or TextKeys.InitialR2T or TextKeys.MaxConnections);
    }

    [Fact]
    public void Apply_TargetAnswers_FollowResultFunctions()
    {
        var negotiation = Offered(new InitiatorOffer { HeaderDigest = DigestPreference.Preferred });
        var outcome = negotiation.Apply(
            Pairs(("HeaderDigest", "CRC32C"), ("MaxBurstLength", "65536"), ("FirstBurstLength", "65536"), ("InitialR2T", "Yes"), ("ImmediateData", "No"),
                ("DefaultTime2Wait", "5"), ("MaxOutstandingR2T", "1"), ("MaxRecvDataSegmentLength", "32768")),
            []);
        Assert.True(outcome.IsSuccess, outcome.Reason);
        Assert.True(negotiation.Complete().IsSuccess);
        var p = negotiation.Parameters;
        Assert.True(p.HeaderDigest);
        Assert.Equal(65536, p.MaxBurstLength);
        Assert.True(p.InitialR2T); // OR: the target's Yes wins
        Assert.False(p.ImmediateData); // AND: the target's No wins
        Assert.Equal(5, p.DefaultTime2Wait);
        Assert.Equal(1, p.MaxOutstandingR2T);
        Assert.Equal(32768, p.TargetMaxRecvDataSegmentLength);
    }

    [Theory]
    [InlineData("MaxBurstLength", "99999999")] // above our offer: breaks Minimum
    [InlineData("DefaultTime2Wait", "0")] // below our offer: breaks Maximum
    [InlineData("HeaderDigest", "CRC32C")] // not in our list ("None")
    [InlineData("InitialR2T", "Maybe")]
    public void Apply_AnswerBreakingTheRules_FailsTheLogin(string key, string value)
    {
        var outcome = Offered().Apply(Pairs((key, value)), []);
        Assert.Equal(LoginStatus.InitiatorError, outcome.Status);
    }

    [Fact]
    public void Apply_RequiredDigestRejected_Fails()
    {
        var negotiation = Offered(new InitiatorOffer { DataDigest = DigestPreference.Required });
        Assert.False(negotiation.Apply(Pairs(("DataDigest", "Reject")), []).IsSuccess);
    }

    [Fact]
    public void Apply_TargetOffersAKey_IsAnswered()
    {
        var answers = new List<KeyValuePair<string, string>>();
        var negotiation = new InitiatorNegotiation(new InitiatorOffer(), SessionType.Normal);
        Assert.True(negotiation.Apply(Pairs(("MaxBurstLength", "16777215"), ("X-Vendor", "1"), ("OFMarker", "No")), answers).IsSuccess);
        Assert.Contains(new KeyValuePair<string, string>("MaxBurstLength", (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)), answers);
        Assert.Contains(new KeyValuePair<string, string>("X-Vendor", "NotUnderstood"), answers);
        Assert.Contains(new KeyValuePair<string, string>("OFMarker", "Reject"), answers);
    }

    [Fact]
    public void Complete_UnansweredBooleanThatOurOfferDecides_TakesOurOffer()
    {
        var negotiation = Offered(new InitiatorOffer { InitialR2T = true, ImmediateData = false });
        Assert.True(negotiation.Apply([], []).IsSuccess);
        Assert.True(negotiation.Complete().IsSuccess);
        Assert.True(negotiation.Parameters.InitialR2T);
        Assert.False(negotiation.Parameters.ImmediateData);
    }

    [Fact]
    public void Complete_FirstBurstAboveMaxBurst_IsClamped()
    {
        var negotiation = Offered();
        negotiation.Apply(Pairs(("MaxBurstLength", "512"), ("FirstBurstLength", "65536")), []);
        negotiation.Complete();
        Assert.Equal(512, negotiation.Parameters.FirstBurstLength);
    }

    [Fact]
    public void Chap_AnswerMatchesRfc1994AndMutualResponseIsVerified()
    {
        var chap = new ChapInitiator(new ChapCredential("alice", "0123456789ab"), new ChapCredential("target", "ba9876543210"));
        var request = new List<KeyValuePair<string, string>>();
        var outcome = chap.AnswerChallenge(Pairs(("CHAP_A", "5"), ("CHAP_I", "7"), ("CHAP_C", "0x00112233445566778899aabbccddeeff")), request);
        Assert.True(outcome.IsSuccess);
        var expected = ChapResponse.Compute(7, "0123456789ab"u8, Convert.FromHexString("00112233445566778899aabbccddeeff"));
        Assert.Equal("0x" + Convert.ToHexStringLower(expected), request.Single(p => p.Key == "CHAP_R").Value);

        var id = byte.Parse(request.Single(p => p.Key == "CHAP_I").Value, System.Globalization.CultureInfo.InvariantCulture);
        var challenge = Convert.FromHexString(request.Single(p => p.Key == "CHAP_C").Value[2..]);
        var good = "0x" + Convert.ToHexStringLower(ChapResponse.Compute(id, "ba9876543210"u8, challenge));
        var bad = "0x" + Convert.ToHexStringLower(ChapResponse.Compute(id, "wrong-secret"u8, challenge));
        Assert.False(chap.VerifyTarget(Pairs(("CHAP_N", "target"), ("CHAP_R", bad))).IsSuccess);
        Assert.False(chap.VerifyTarget(Pairs(("CHAP_N", "other"), ("CHAP_R", good))).IsSuccess);
        Assert.True(chap.VerifyTarget(Pairs(("CHAP_N", "target"), ("CHAP_R", good))).IsSuccess);
    }

    [Fact]
    public void Chap_TargetRefusingMd5_Fails()
    {
        var chap = new ChapInitiator(new ChapCredential("alice", "0123456789ab"), null);
        Assert.Equal(LoginStatus.AuthenticationFailure, chap.AnswerChallenge(Pairs(("CHAP_A", "Reject")), []).Status);
    }

    [Fact]
    public void SendTargets_GroupsAddressesUnderTheirTarget()
    {
        var targets = DiscoveredTarget.ParseSendTargets(Pairs(
            ("TargetName", "iqn.2026-11.io.storlane:a"), ("TargetAddress", "127.0.0.1:3260,1"), ("TargetAddress", "[::1]:3261,2"),
            ("TargetName", "iqn.2026-11.io.storlane:b"), ("TargetAddress", "host.example,3")));
        Assert.Equal(2, targets.Count);
        Assert.Equal(new TargetPortal("127.0.0.1", 3260, 1), targets[0].Portals[0]);
        Assert.Equal(new TargetPortal("::1", 3261, 2), targets[0].Portals[1]);
        Assert.Equal(new TargetPortal("host.example", 3260, 3), targets[1].Portals[0]);
    }

    [Fact]
    public void CommandWindow_StaleOrInvalidUpdates_AreIgnoredAndWrapIsHandled()
    {
        var window = new Session.CommandWindow();
        window.Reset(0xFFFFFFFE, 0xFFFFFFFE, 0xFFFFFFFF);
        Assert.Equal(2, window.Available);
        window.Take();
        window.Take();
        Assert.False(window.IsOpen);
        Assert.False(window.Update(0x00000000, 0xFFFFFFF0)); // MaxCmdSN < ExpCmdSN - 1: ignored (4.2.2.1)
        Assert.True(window.Update(0x00000000, 0x00000001)); // across the wrap
        Assert.Equal(2, window.Available);
        Assert.False(window.Update(0xFFFFFFFF, 0x00000000)); // older values never move the window back
        Assert.Equal(1u, window.MaxCmdSN);
    }
}
