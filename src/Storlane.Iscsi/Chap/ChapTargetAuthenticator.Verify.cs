using System.Security.Cryptography;
using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Chap;

public sealed partial class ChapTargetAuthenticator
{
    /// <summary>
    /// "The initiator MUST continue with: CHAP_N=&lt;N&gt; CHAP_R=&lt;R&gt; or, if it requires target
    /// authentication, with: CHAP_N=&lt;N&gt; CHAP_R=&lt;R&gt; CHAP_I=&lt;I&gt; CHAP_C=&lt;C&gt;"
    /// (12.1.3). The initiator is verified first; the target answers a challenge only then.
    /// </summary>
    private SecurityOutcome Verify(in ChapKeys keys, List<KeyValuePair<string, string>> response)
    {
        if (_stage != Stage.ExpectResponse)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "CHAP_N, CHAP_R, CHAP_I or CHAP_C outside the CHAP exchange");
        }

        if (keys.Name is null || keys.Response is null)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "the CHAP answer needs both CHAP_N and CHAP_R");
        }

        if ((keys.Identifier is null) != (keys.Challenge is null))
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "mutual CHAP needs both CHAP_I and CHAP_C");
        }

        if (!TextValues.TryDecodeBinary(keys.Response, out var received))
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "CHAP_R is not a hex (0x) or base64 (0b) binary value");
        }

        var initiator = CheckInitiator(keys.Name, received);
        if (initiator.IsFailed)
        {
            return initiator;
        }

        AuthenticatedUser = keys.Name;
        if (keys.Identifier is null)
        {
            _stage = Stage.Done;
            return SecurityOutcome.Authenticated;
        }

        var mutual = AnswerChallenge(keys.Identifier, keys.Challenge!, response);
        if (!mutual.IsFailed)
        {
            _stage = Stage.Done;
        }

        return mutual;
    }

    private SecurityOutcome CheckInitiator(string name, byte[] received)
    {
        Span<byte> expected = stackalloc byte[ChapResponse.Length];
        ChapResponse.Compute(_identifier, SecretBytes(_required!), _challenge, expected);

        // Constant time, so a mismatch does not tell how many leading bytes were right.
        var responseMatches = received.Length == ChapResponse.Length && CryptographicOperations.FixedTimeEquals(received, expected);
        if (!responseMatches || name != _required!.User)
        {
            return SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, $"CHAP_N={name} with its CHAP_R does not match the target's credential");
        }

        if (_mutual is not null)
        {
            // "If the CHAP response received by one end of an iSCSI connection is the same as the CHAP
            // response that the receiving endpoint would have generated for the same CHAP challenge,
            // the response MUST be treated as an authentication failure and cause the connection to
            // close" (9.2.1): the same secret must not serve both directions.
            ChapResponse.Compute(_identifier, SecretBytes(_mutual), _challenge, expected);
            if (CryptographicOperations.FixedTimeEquals(received, expected))
            {
                return SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, "the initiator's and the target's CHAP secrets are the same");
            }
        }

        return SecurityOutcome.Authenticated;
    }

    /// <summary>
    /// Mutual CHAP: when the initiator authenticates the target, the target replies with CHAP_N and
    /// CHAP_R (12.1.3), computed from the mutual credential.
    /// </summary>
    private SecurityOutcome AnswerChallenge(string identifier, string challengeText, List<KeyValuePair<string, string>> response)
    {
        if (_mutual is null)
        {
            return SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, "the initiator asked the target to authenticate itself but no mutual CHAP credential is configured");
        }

        if (!TextValues.TryParseNumber(identifier, out var id) || id > byte.MaxValue)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, $"CHAP_I={identifier} is not a number from 0 to 255");
        }

        if (!TextValues.TryDecodeBinary(challengeText, out var challenge) || challenge.Length == 0 || challenge.Length > MaxBinaryLength)
        {
            return SecurityOutcome.Failed(LoginStatus.InitiatorError, "CHAP_C is not a binary value of 1 to 1024 bytes");
        }

        if (challenge.Length == _challenge.Length && CryptographicOperations.FixedTimeEquals(challenge, _challenge))
        {
            // A challenge reflected back at its sender would make the target compute the very
            // response an attacker needs (the reflection attack of RFC 7143 9.2.1 and 12.1.3).
            return SecurityOutcome.Failed(LoginStatus.AuthenticationFailure, "the initiator's CHAP_C repeats the target's challenge");
        }

        var answer = ChapResponse.Compute((byte)id, SecretBytes(_mutual), challenge);
        response.Add(new(TextKeys.ChapName, _mutual.User));
        response.Add(new(TextKeys.ChapResponse, TextValues.EncodeHex(answer)));
        TargetAuthenticated = true;
        return SecurityOutcome.Authenticated;
    }
}
