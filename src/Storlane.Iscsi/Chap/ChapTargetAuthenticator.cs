using System.Security.Cryptography;
using System.Text;
using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Chap;

/// <summary>
/// Target side of the security negotiation stage for one login (RFC 7143 12 and 12.1.3):
/// AuthMethod, then CHAP with MD5, optionally mutual. The flow the initiator drives:
/// <code>
/// I: AuthMethod=CHAP,None            T: AuthMethod=CHAP
/// I: CHAP_A=5                         T: CHAP_A=5 CHAP_I=&lt;id&gt; CHAP_C=&lt;challenge&gt;
/// I: CHAP_N=&lt;n&gt; CHAP_R=&lt;r&gt; [CHAP_I CHAP_C]   T: [CHAP_N CHAP_R] (mutual)
/// </code>
/// Non-security keys in the same requests are ignored (they belong to <see cref="LoginNegotiator"/>).
/// Bad input never throws; it returns <see cref="SecurityOutcome.Failed"/>, which is final.
/// </summary>
public sealed partial class ChapTargetAuthenticator
{
    private const string Chap = "CHAP";
    private const string Md5Algorithm = "5";
    private const int ChallengeLength = 16;

    /// <summary>"Their binary length ... MUST NOT exceed 1024 bytes." (12.1.3)</summary>
    private const int MaxBinaryLength = 1024;

    private readonly ChapCredential? _required;
    private readonly ChapCredential? _mutual;
    private readonly byte[] _challenge = new byte[ChallengeLength];
    private byte _identifier;
    private Stage _stage = Stage.ExpectAuthMethod;
    private SecurityOutcome _failure;

    /// <summary>
    /// <paramref name="required"/>: the credential the initiator must prove; null means the target
    /// requires no authentication and accepts only AuthMethod=None (CHAP with nothing to check would
    /// be theatre). <paramref name="mutual"/>: what the target answers when the initiator asks it to
    /// authenticate itself; null refuses mutual CHAP.
    /// </summary>
    public ChapTargetAuthenticator(ChapCredential? required, ChapCredential? mutual)
    {
        CheckCredential(required, nameof(required));
        CheckCredential(mutual, nameof(mutual));
        _required = required;
        _mutual = mutual;
    }

    private enum Stage
    {
        ExpectAuthMethod,
        ExpectAlgorithm,
        ExpectResponse,
        Done,
        Failed,
    }

    /// <summary>The AuthMethod agreed ("CHAP" or "None"), or null before that.</summary>
    public string? AuthMethod { get; private set; }

    /// <summary>The CHAP_N the initiator proved, or null.</summary>
    public string? AuthenticatedUser { get; private set; }

    /// <summary>True when the target answered the initiator's challenge (mutual CHAP).</summary>
    public bool TargetAuthenticated { get; private set; }

    public bool IsAuthenticated => _stage == Stage.Done;

    /// <summary>True when the challenge went out and the next request's CHAP_N/CHAP_R will be checked against the secret.</summary>
    public bool AwaitingResponse => _stage == Stage.ExpectResponse;

    /// <summary>Handles the security keys of one complete request; answers go to <paramref name="response"/>.</summary>
    public SecurityOutcome Process(IReadOnlyList<KeyValuePair<string, string>> offered, List<KeyValuePair<string, string>> response)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(response);
        if (_stage == Stage.Failed)
        {
            return _failure;
        }

        var outcome = Collect(offered, response, out var keys);
        if (!outcome.IsFailed && keys.AuthMethod is not null)
        {
            outcome = NegotiateAuthMethod(keys.AuthMethod, response);
        }

        if (!outcome.IsFailed && keys.Algorithm is not null)
        {
            outcome = SendChallenge(keys, response);
        }
        else if (!outcome.IsFailed && keys.HasResponseKeys)
        {
            outcome = Verify(keys, response);
        }

        if (outcome.IsFailed)
        {
            return Fail(outcome);
        }

        return _stage == Stage.Done ? SecurityOutcome.Authenticated : SecurityOutcome.InProgress;
    }

    /// <summary>
    /// Call when the initiator leaves the security stage (T=1 toward the operational stage or full
    /// feature phase) or skips it (first request with CSG=1): Authenticated when authentication
    /// finished or none is required, otherwise Failed with AuthenticationFailure.
    /// </summary>
    public SecurityOutcome EndSecurityPhase()
    {
        switch (_stage)
        {
            case Stage.Done:
                return SecurityOutcome.Authenticated;
            case Stage.Failed:
                return _failure;
            case Stage.ExpectAuthMethod when _required is null:
                _stage = Stage.Done;
                return SecurityOutcome.Authenticated;
            case Stage.ExpectAuthMethod:
                return Fail(SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, "the target requires CHAP and the initiator did not negotiate AuthMethod"));
            default:
                return Fail(SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, "the initiator left the security stage before CHAP completed"));
        }
    }

    /// <summary>
    /// AuthMethod is a list negotiation (6.2.1): the first offered method the target accepts. With a
    /// credential that is CHAP only; without one, None only.
    /// </summary>
    private SecurityOutcome NegotiateAuthMethod(string offer, List<KeyValuePair<string, string>> response)
    {
        if (_stage != Stage.ExpectAuthMethod)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "AuthMethod was negotiated more than once");
        }

        var accepted = _required is null ? TextValues.None : Chap;
        foreach (var method in TextValues.SplitList(offer))
        {
            if (method == accepted)
            {
                AuthMethod = accepted;
                response.Add(new(TextKeys.AuthMethod, accepted));
                _stage = accepted == Chap ? Stage.ExpectAlgorithm : Stage.Done;
                return SecurityOutcome.InProgress;
            }
        }

        response.Add(new(TextKeys.AuthMethod, TextValues.Reject));
        var reason = _required is null
            ? $"the initiator offered AuthMethod={offer} but the target has no CHAP credential and accepts only None"
            : $"the target requires CHAP but the initiator offered AuthMethod={offer}";
        return SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, reason);
    }

    /// <summary>
    /// "In response, the target MUST reply with: CHAP_A=&lt;A&gt; CHAP_I=&lt;I&gt; CHAP_C=&lt;C&gt;
    /// where A is one of A1,A2... that were proposed by the initiator." (12.1.3) Only 5 (MD5) is
    /// implemented; "To guarantee interoperability, initiators MUST always offer it."
    /// </summary>
    private SecurityOutcome SendChallenge(in ChapKeys keys, List<KeyValuePair<string, string>> response)
    {
        if (_stage != Stage.ExpectAlgorithm)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, AuthMethod == Chap ? "CHAP_A was sent more than once" : "CHAP_A before AuthMethod=CHAP was agreed");
        }

        if (keys.HasResponseKeys)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "CHAP_N, CHAP_R, CHAP_I or CHAP_C before the target sent its challenge");
        }

        if (!OffersMd5(keys.Algorithm!))
        {
            response.Add(new(TextKeys.ChapAlgorithm, TextValues.Reject));
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, $"CHAP_A={keys.Algorithm} does not offer 5 (MD5)");
        }

        // A fresh identifier and a 16-byte random challenge for every login: RFC 1994 "The Challenge
        // Value MUST be changed each time a Challenge is sent."
        _identifier = (byte)RandomNumberGenerator.GetInt32(256);
        RandomNumberGenerator.Fill(_challenge);
        response.Add(new(TextKeys.ChapAlgorithm, Md5Algorithm));
        response.Add(new(TextKeys.ChapIdentifier, TextValues.FormatNumber(_identifier)));
        response.Add(new(TextKeys.ChapChallenge, TextValues.EncodeHex(_challenge)));
        _stage = Stage.ExpectResponse;
        return SecurityOutcome.InProgress;
    }

    private static bool OffersMd5(string algorithms)
    {
        foreach (var algorithm in TextValues.SplitList(algorithms))
        {
            if (TextValues.TryParseNumber(algorithm, out var value) && value == 5)
            {
                return true;
            }
        }

        return false;
    }

    private SecurityOutcome Fail(SecurityOutcome failure)
    {
        _stage = Stage.Failed;
        _failure = failure;
        return failure;
    }

    private static void CheckCredential(ChapCredential? credential, string name)
    {
        if (credential is not null && (string.IsNullOrEmpty(credential.User) || string.IsNullOrEmpty(credential.Secret)))
        {
            throw new ArgumentException("a CHAP credential needs a user and a secret", name);
        }
    }

    private static byte[] SecretBytes(ChapCredential credential) => Encoding.UTF8.GetBytes(credential.Secret);
}
