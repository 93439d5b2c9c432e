using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Tests.Login;

namespace Storlane.Iscsi.Tests.Chap;

/// <summary>Target side of AuthMethod and one-way CHAP (RFC 7143 12, 12.1.3).</summary>
public class ChapTargetAuthenticatorTests
{
    private static readonly ChapCredential Initiator = ChapExchange.Initiator;

    [Fact]
    public void NoCredential_AuthMethodNone_AuthenticatesAtOnce()
    {
        var exchange = new ChapExchange(null);

        var outcome = exchange.Send("InitiatorName=iqn.1994-05.com.example:host1", "AuthMethod=CHAP,None");

        Assert.Equal(SecurityState.Authenticated, outcome.State);
        Assert.Equal(Pairs.Of("AuthMethod=None"), exchange.Response);
        Assert.Equal("None", exchange.Authenticator.AuthMethod);
    }

    [Fact]
    public void NoCredential_OnlyChapOffered_RejectedAndFails()
    {
        var exchange = new ChapExchange(null);

        var outcome = exchange.Send("AuthMethod=CHAP");

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
        Assert.Equal(Pairs.Of("AuthMethod=Reject"), exchange.Response);
    }

    [Fact]
    public void CredentialRequired_ChapChosenEvenWhenNoneListedFirst()
    {
        // List negotiation picks the first offered value the target allows (6.2.1); None is not allowed.
        var exchange = new ChapExchange(Initiator);

        Assert.Equal(SecurityState.InProgress, exchange.Send("AuthMethod=None,CHAP").State);
        Assert.Equal(Pairs.Of("AuthMethod=CHAP"), exchange.Response);
    }

    [Fact]
    public void CredentialRequired_OnlyNoneOffered_FailsWithAuthenticationFailure()
    {
        var exchange = new ChapExchange(Initiator);

        Assert.Equal(LoginStatus.AuthenticationFailure, exchange.Send("AuthMethod=None").Status);
        Assert.False(exchange.Authenticator.IsAuthenticated);
    }

    [Fact]
    public void ChapA_Md5ChosenFromList_WithIdentifierAndSixteenByteChallenge()
    {
        // "the target MUST reply with: CHAP_A=<A> CHAP_I=<I> CHAP_C=<C> where A is one of A1,A2...
        // that were proposed by the initiator" (12.1.3)
        var exchange = new ChapExchange(Initiator);
        exchange.Send("AuthMethod=CHAP");

        Assert.Equal(SecurityState.InProgress, exchange.Send("CHAP_A=7,5").State);

        Assert.Equal(3, exchange.Response.Count);
        Assert.Equal("5", Pairs.Find(exchange.Response, "CHAP_A"));
        Assert.InRange(int.Parse(Pairs.Find(exchange.Response, "CHAP_I")!, System.Globalization.CultureInfo.InvariantCulture), 0, 255);
        Assert.Matches("^0x[0-9a-f]{32}$", Pairs.Find(exchange.Response, "CHAP_C"));
    }

    [Fact]
    public void ChapA_WithoutMd5_Fails()
    {
        // "To guarantee interoperability, initiators MUST always offer it." (12.1.3)
        var exchange = new ChapExchange(Initiator);
        exchange.Send("AuthMethod=CHAP");

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_A=7").Status);
        Assert.Equal("Reject", Pairs.Find(exchange.Response, "CHAP_A"));
    }

    [Fact]
    public void Challenge_IsFreshForEveryLogin()
    {
        var first = new ChapExchange(Initiator).Start();
        var second = new ChapExchange(Initiator).Start();

        Assert.NotEqual(first.Challenge, second.Challenge);
    }

    [Fact]
    public void Chap_CorrectResponse_Authenticates()
    {
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=" + ChapExchange.Hex(ChapExchange.Answer(id, Initiator.Secret, challenge)));

        Assert.Equal(SecurityState.Authenticated, outcome.State);
        Assert.Empty(exchange.Response);
        Assert.Equal(Initiator.User, exchange.Authenticator.AuthenticatedUser);
        Assert.False(exchange.Authenticator.TargetAuthenticated);
        Assert.Equal(SecurityState.Authenticated, exchange.Authenticator.EndSecurityPhase().State);
    }

    [Fact]
    public void Chap_Base64Response_Authenticates()
    {
        // "Hex or Base64 encoding may be used for C and R." (12.1.3)
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();
        var answer = Convert.ToBase64String(ChapExchange.Answer(id, Initiator.Secret, challenge));

        Assert.Equal(SecurityState.Authenticated, exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=0b" + answer).State);
    }

    [Fact]
    public void Chap_WrongSecret_FailsWithAuthenticationFailure()
    {
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=" + ChapExchange.Hex(ChapExchange.Answer(id, "not-the-secret-1", challenge)));

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
        Assert.False(exchange.Authenticator.IsAuthenticated);
        Assert.Equal(LoginStatus.AuthenticationFailure, exchange.Authenticator.EndSecurityPhase().Status);
    }

    [Fact]
    public void Chap_WrongUser_FailsWithAuthenticationFailure()
    {
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=someone-else", "CHAP_R=" + ChapExchange.Hex(ChapExchange.Answer(id, Initiator.Secret, challenge)));

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
    }

    [Fact]
    public void Chap_ResponseForAnotherIdentifier_Fails()
    {
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();

        var outcome = exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=" + ChapExchange.Hex(ChapExchange.Answer((byte)(id + 1), Initiator.Secret, challenge)));

        Assert.Equal(LoginStatus.AuthenticationFailure, outcome.Status);
    }

    [Theory]
    [InlineData("CHAP_R=0xnothex")]
    [InlineData("CHAP_R=1234")]
    public void Chap_MalformedResponse_InitiatorError(string pair)
    {
        var exchange = new ChapExchange(Initiator);
        exchange.Start();

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_N=" + Initiator.User, pair).Status);
    }

    [Fact]
    public void Chap_ShortResponse_AuthenticationFailure()
    {
        var exchange = new ChapExchange(Initiator);
        exchange.Start();

        Assert.Equal(LoginStatus.AuthenticationFailure, exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=0x00").Status);
    }

    [Fact]
    public void Chap_ResponseBeforeChallenge_InitiatorError()
    {
        var exchange = new ChapExchange(Initiator);
        exchange.Send("AuthMethod=CHAP");

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=0x00").Status);
    }

    [Fact]
    public void Chap_AlgorithmBeforeAuthMethod_InitiatorError()
    {
        var exchange = new ChapExchange(Initiator);
        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_A=5").Status);
    }

    [Fact]
    public void Chap_NameWithoutResponse_InitiatorError()
    {
        var exchange = new ChapExchange(Initiator);
        exchange.Start();

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("CHAP_N=" + Initiator.User).Status);
    }

    [Fact]
    public void AuthMethodRenegotiated_InitiatorError()
    {
        var exchange = new ChapExchange(Initiator);
        exchange.Start();

        Assert.Equal(LoginStatus.InitiatorError, exchange.Send("AuthMethod=CHAP").Status);
    }

    [Fact]
    public void Failure_IsFinal()
    {
        var exchange = new ChapExchange(Initiator);
        var (id, challenge) = exchange.Start();
        exchange.Send("CHAP_N=x", "CHAP_R=0x00");

        var retry = exchange.Send("CHAP_N=" + Initiator.User, "CHAP_R=" + ChapExchange.Hex(ChapExchange.Answer(id, Initiator.Secret, challenge)));

        Assert.True(retry.IsFailed);
        Assert.False(exchange.Authenticator.IsAuthenticated);
    }

    [Fact]
    public void EndSecurityPhase_CredentialRequiredButNotNegotiated_Fails()
    {
        Assert.Equal(LoginStatus.AuthenticationFailure, new ChapTargetAuthenticator(Initiator, null).EndSecurityPhase().Status);
        Assert.Equal(SecurityState.Authenticated, new ChapTargetAuthenticator(null, null).EndSecurityPhase().State);
    }

    [Fact]
    public void EndSecurityPhase_InTheMiddleOfChap_Fails()
    {
        var exchange = new ChapExchange(Initiator);
        exchange.Start();

        Assert.Equal(LoginStatus.AuthenticationFailure, exchange.Authenticator.EndSecurityPhase().Status);
    }

    [Fact]
    public void OtherMethodsKeys_NotUnderstood_OperationalKeysIgnored()
    {
        var exchange = new ChapExchange(Initiator);

        exchange.Send("AuthMethod=CHAP", "SRP_U=user", "InitiatorName=iqn.1994-05.com.example:host1");

        Assert.Equal(2, exchange.Response.Count);
        Assert.Equal("CHAP", Pairs.Find(exchange.Response, "AuthMethod"));
        Assert.Equal("NotUnderstood", Pairs.Find(exchange.Response, "SRP_U"));
    }

    [Fact]
    public void Credential_ToStringHidesSecret()
    {
        Assert.DoesNotContain(Initiator.Secret, Initiator.ToString(), StringComparison.Ordinal);
        Assert.Contains(Initiator.User, Initiator.ToString(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ChapTargetAuthenticator(new ChapCredential("user", ""), null));
    }
}
