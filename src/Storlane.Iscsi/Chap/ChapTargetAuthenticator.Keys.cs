using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Chap;

public sealed partial class ChapTargetAuthenticator
{
    /// <summary>Collects the security keys of one request, each at most once.</summary>
    private static SecurityOutcome Collect(IReadOnlyList<KeyValuePair<string, string>> offered, List<KeyValuePair<string, string>> response, out ChapKeys keys)
    {
        keys = default;
        for (var i = 0; i < offered.Count; i++)
        {
            var (key, value) = (offered[i].Key, offered[i].Value);
            if (!TextKeys.IsSecurityKey(key))
            {
                continue;
            }

            if (TextValues.IsReservedAnswer(value))
            {
                // "the use of "Reject", "Irrelevant", and "NotUnderstood" as proposed values" is a
                // protocol error (6.2).
                return SecurityOutcome.Failed(LoginStatus.InitiatorError, $"{key}={value}: a reserved constant is not a proposal");
            }

            var fresh = key switch
            {
                TextKeys.AuthMethod => Set(ref keys.AuthMethod, value),
                TextKeys.ChapAlgorithm => Set(ref keys.Algorithm, value),
                TextKeys.ChapName => Set(ref keys.Name, value),
                TextKeys.ChapResponse => Set(ref keys.Response, value),
                TextKeys.ChapIdentifier => Set(ref keys.Identifier, value),
                TextKeys.ChapChallenge => Set(ref keys.Challenge, value),
                _ => NotUnderstood(key, response),
            };
            if (!fresh)
            {
                return SecurityOutcome.Failed(LoginStatus.InitiatorError, $"{key} appears more than once in one request");
            }
        }

        return SecurityOutcome.InProgress;
    }

    private static bool Set(ref string? slot, string value)
    {
        if (slot is not null)
        {
            return false;
        }

        slot = value;
        return true;
    }

    /// <summary>Keys of methods the target never selects (KRB_*, SRP_*, unknown CHAP_*).</summary>
    private static bool NotUnderstood(string key, List<KeyValuePair<string, string>> response)
    {
        response.Add(new(key, TextValues.NotUnderstood));
        return true;
    }
}

/// <summary>The security keys of one request.</summary>
internal struct ChapKeys
{
    public string? AuthMethod;
    public string? Algorithm;
    public string? Name;
    public string? Response;
    public string? Identifier;
    public string? Challenge;

    public readonly bool HasResponseKeys => Name is not null || Response is not null || Identifier is not null || Challenge is not null;
}
