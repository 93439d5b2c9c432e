using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Tests.Login;

namespace Storlane.Iscsi.Tests.Chap;

/// <summary>
/// When the initiator sends CHAP_I and CHAP_C it authenticates the target, which replies with CHAP_N
/// and CHAP_R (RFC 7143 12.1.3) computed with its own, different, secret.
/// </summary>
public class MutualChapTests
{
    private static readonly ChapCredential Initiator = ChapExchange.Initiator;
    private static readonly ChapCredential Target = ChapExchange.Target;

    private static string Proof(byte id, byte[] challenge) =>
        "CHAP_R=" + ChapExchange.Hex(ChapExchange.Answer(id, Initiator.Secret, challenge));

    [Fact]
    public void MutualChap_TargetAnswersInitiatorChallenge()
    {
        var exchange = new ChapExchange(Initiator, Target);
        var (id, challenge) = exchange.Start();
        var initiatorChallenge = Convert.FromHexString("0102030405060708090a0b0c0d0e0f10");

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge), "CHAP_I=255", "CHAP_C=0x0102030405060708090a0b0c0d0e0f10");

        Assert.Equal(SecurityState.Authenticated, outcome.State);
        Assert.Equal(Target.User, Pairs.Find(exchange.Response, "CHAP_N"));

        // Golden: MD5(0xff || "target-secret-0002" || 0102...10), computed with Python's hashlib.
        Assert.Equal("0xd0751c70d391fc16b142494bb1a738e2", Pairs.Find(exchange.Response, "CHAP_R"));
        Assert.Equal(ChapExchange.Hex(ChapExchange.Answer(255, Target.Secret, initiatorChallenge)), Pairs.Find(exchange.Response, "CHAP_R"));
        Assert.True(exchange.Authenticator.TargetAuthenticated);
    }

    [Fact]
    public void MutualChap_Base64Challenge_Accepted()
    {
        var exchange = new ChapExchange(Initiator, Target);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge), "CHAP_I=1", "CHAP_C=0bAQIDBA==");

        Assert.Equal(SecurityState.Authenticated, outcome.State);
        Assert.Equal(ChapExchange.Hex(ChapExchange.Answer(1, Target.Secret, [1, 2, 3, 4])), Pairs.Find(exchange.Response, "CHAP_R"));
    }

    [Fact]
    public void MutualChap_NoMutualCredential_FailsWithAuthenticationFailure()
    {
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge), "CHAP_I=1", "CHAP_C=0x0102030405060708");

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
        Assert.Null(Pairs.Find(exchange.Response, "CHAP_R"));
    }

    [Fact]
    public void Chap_ReflectedChallenge_IsRefused()
    {
        // Sending the target's own challenge back would make the target compute the answer an
        // impostor needs (the reflection attack, RFC 7143 9.2.1 and 12.1.3).
        var exchange = new ChapExchange(Initiator, Target);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge), "CHAP_I=" + id, "CHAP_C=" + ChapExchange.Hex(challenge));

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
        Assert.Contains("challenge", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(Pairs.Find(exchange.Response, "CHAP_R"));
    }

    [Fact]
    public void Chap_SameSecretBothDirections_FailsAuthentication()
    {
        // "If the CHAP response received by one end of an iSCSI connection is the same as the CHAP
        // response that the receiving endpoint would have generated for the same CHAP challenge, the
        // response MUST be treated as an authentication failure" (RFC 7143 9.2.1)
        var exchange = new ChapExchange(Initiator, new ChapCredential(Target.User, Initiator.Secret));
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge));

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
        Assert.Contains("same", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MutualChap_WrongInitiatorResponse_TargetDoesNotAnswer()
    {
        var exchange = new ChapExchange(Initiator, Target);
        exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=0x00000000000000000000000000000000", "CHAP_I=1", "CHAP_C=0x01020304");

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
        Assert.Empty(exchange.Response);
    }

    [Theory]
    [InlineData("CHAP_I=256", "CHAP_C=0x01")]
    [InlineData("CHAP_I=x", "CHAP_C=0x01")]
    [InlineData("CHAP_I=1", "CHAP_C=zz")]
    public void MutualChap_MalformedChallenge_InitiatorError(string identifier, string challengeText)
    {
        var exchange = new ChapExchange(Initiator, Target);
        var (id, challenge) = exchange.Start();

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge), identifier, challengeText).Status);
    }

    [Fact]
    public void MutualChap_IdentifierWithoutChallenge_InitiatorError()
    {
        var exchange = new ChapExchange(Initiator, Target);
        var (id, challenge) = exchange.Start();

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_N=" + Initiator.User, Proof(id, challenge), "CHAP_I=1").Status);
    }
}
