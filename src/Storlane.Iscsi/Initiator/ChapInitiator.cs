using System.Security.Cryptography;
using System.Text;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Initiator;

/// <summary>
/// Initiator side of CHAP in the security stage (RFC 7143 12.1.3), the mirror of
/// <see cref="ChapTargetAuthenticator"/>:
/// <code>
/// I: AuthMethod=CHAP                  T: AuthMethod=CHAP
/// I: CHAP_A=5                         T: CHAP_A=5 CHAP_I=&lt;id&gt; CHAP_C=&lt;challenge&gt;
/// I: CHAP_N CHAP_R [CHAP_I CHAP_C]    T: [CHAP_N CHAP_R] (mutual)
/// </code>
/// Failures are reported as <see cref="NegotiationOutcome"/> with the login status to raise.
/// </summary>
public sealed class ChapInitiator
{
    public const string Md5Algorithm = "5";

    private const int ChallengeLength = 16;

    /// <summary>"Their binary length ... MUST NOT exceed 1024 bytes." (12.1.3)</summary>
    private const int MaxBinaryLength = 1024;

    private readonly ChapCredential _credential;
    private readonly ChapCredential? _mutual;
    private readonly byte[] _challenge = new byte[ChallengeLength];
    private byte _identifier;

    /// <summary>
    /// <paramref name="credential"/> answers the target's challenge; <paramref name="mutual"/>, when
    /// given, is the name and secret the target must prove in return.
    /// </summary>
    public ChapInitiator(ChapCredential credential, ChapCredential? mutual)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (mutual is not null && mutual.Secret == credential.Secret)
        {
            // "the same CHAP secret MUST NOT be configured for authentication of multiple initiators
            // or multiple targets" and a target's secret must differ from the initiator's (12.1.3).
            throw new ArgumentException("the mutual CHAP secret must differ from the initiator's secret", nameof(mutual));
        }

        _credential = credential;
        _mutual = mutual;
    }

    /// <summary>True once the target proved the mutual secret.</summary>
    public bool TargetAuthenticated { get; private set; }

    /// <summary>
    /// Answers "CHAP_A=5 CHAP_I CHAP_C" with CHAP_N and CHAP_R, plus our own CHAP_I and CHAP_C for mutual CHAP.
    /// </summary>
    public NegotiationOutcome AnswerChallenge(IReadOnlyList<KeyValuePair<string, string>> response, List<KeyValuePair<string, string>> into)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(into);
        var algorithm = Find(response, TextKeys.ChapAlgorithm);
        var identifier = Find(response, TextKeys.ChapIdentifier);
        var challenge = Find(response, TextKeys.ChapChallenge);
        if (algorithm != Md5Algorithm)
        {
            return Fail(LoginStatus.AuthenticationFailure, "the target did not accept CHAP_A=5 (MD5)");
        }

        if (identifier is null || !TextValues.TryParseNumber(identifier, out var id) || id > 255)
        {
            return Fail(LoginStatus.AuthenticationFailure, "the target sent no valid CHAP_I");
        }

        if (challenge is null || !TextValues.TryDecodeBinary(challenge, out var challengeBytes) || challengeBytes.Length == 0
            || challengeBytes.Length > MaxBinaryLength)
        {
            return Fail(LoginStatus.AuthenticationFailure, "the target sent no valid CHAP_C");
        }

        Span<byte> answer = stackalloc byte[ChapResponse.Length];
        var secret = Encoding.UTF8.GetBytes(_credential.Secret);
        try
        {
            ChapResponse.Compute((byte)id, secret, challengeBytes, answer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        into.Add(new(TextKeys.ChapName, _credential.User));
        into.Add(new(TextKeys.ChapResponse, TextValues.EncodeHex(answer)));
        if (_mutual is not null)
        {
            _identifier = (byte)RandomNumberGenerator.GetInt32(256);
            RandomNumberGenerator.Fill(_challenge);

            // "If the initiator authenticates the target, the challenge MUST NOT be the same as the one
            // the target sent" (12.1.3): a reflected challenge would let the target replay our answer.
            if (CryptographicOperations.FixedTimeEquals(_challenge, challengeBytes))
            {
                _challenge[0] ^= 0xFF;
            }

            into.Add(new(TextKeys.ChapIdentifier, TextValues.FormatNumber(_identifier)));
            into.Add(new(TextKeys.ChapChallenge, TextValues.EncodeHex(_challenge)));
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// Checks the target's CHAP_N and CHAP_R (mutual CHAP) in constant time. Without mutual CHAP
    /// there is nothing to check.
    /// </summary>
    public NegotiationOutcome VerifyTarget(IReadOnlyList<KeyValuePair<string, string>> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (_mutual is null)
        {
            return NegotiationOutcome.Success;
        }

        var name = Find(response, TextKeys.ChapName);
        var answer = Find(response, TextKeys.ChapResponse);
        if (name is null || answer is null || !TextValues.TryDecodeBinary(answer, out var received))
        {
            return Fail(LoginStatus.AuthenticationFailure, "the target did not answer the mutual CHAP challenge");
        }

        Span<byte> expected = stackalloc byte[ChapResponse.Length];
        var secret = Encoding.UTF8.GetBytes(_mutual.Secret);
        try
        {
            ChapResponse.Compute(_identifier, secret, _challenge, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        var nameMatches = name == _mutual.User;
        var responseMatches = received.Length == ChapResponse.Length && CryptographicOperations.FixedTimeEquals(received, expected);
        if (!(nameMatches & responseMatches))
        {
            return Fail(LoginStatus.AuthenticationFailure, "the target failed mutual CHAP authentication");
        }

        TargetAuthenticated = true;
        return NegotiationOutcome.Success;
    }

    private static string? Find(IReadOnlyList<KeyValuePair<string, string>> pairs, string key)
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            if (pairs[i].Key == key)
            {
                return pairs[i].Value;
            }
        }

        return null;
    }

    private static NegotiationOutcome Fail(LoginStatus status, string reason) => NegotiationOutcome.Fail(status, reason);
}
