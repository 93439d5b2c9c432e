namespace Storlane.Iscsi.Login;

/// <summary>Text Requests in full feature phase: only keys whose use is ALL or FFPO (RFC 7143 13).</summary>
public sealed partial class LoginNegotiator
{
    private NegotiationOutcome ProcessFullFeature(IReadOnlyList<KeyValuePair<string, string>> offered, List<KeyValuePair<string, string>> response)
    {
        // Each Text exchange is a negotiation of its own; a key may still appear once in it.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < offered.Count; i++)
        {
            var (key, value) = (offered[i].Key, offered[i].Value);
            var outcome = NegotiateInFullFeature(key, value, seen, response);
            if (!outcome.IsSuccess)
            {
                return outcome;
            }
        }

        return NegotiationOutcome.Success;
    }

    private NegotiationOutcome NegotiateInFullFeature(string key, string value, HashSet<string> seen, List<KeyValuePair<string, string>> response)
    {
        if (!seen.Add(key))
        {
            return Fail(LoginStatus.InitiatorError, $"{key} appears more than once in one Text Request");
        }

        if (key == TextKeys.SendTargets)
        {
            return NegotiationOutcome.Success; // the caller answers it, see TryGetSendTargets
        }

        if (TextValues.IsReservedAnswer(value))
        {
            return Fail(LoginStatus.InitiatorError, $"{key}={value}: a reserved constant is not a proposal");
        }

        if (TextKeys.IsSecurityKey(key))
        {
            return Fail(LoginStatus.InitiatorError, $"{key} belongs to the security negotiation stage");
        }

        if (!KeyTable.TryGet(key, out var definition))
        {
            response.Add(new(key, TextValues.NotUnderstood));
            return NegotiationOutcome.Success;
        }

        if (definition.Use != KeyUse.All || definition.Sender == KeySender.Target)
        {
            return Fail(LoginStatus.InitiatorError, $"{key} cannot be sent by the initiator in full feature phase");
        }

        if (key == TextKeys.InitiatorAlias)
        {
            InitiatorAlias = value;
            return NegotiationOutcome.Success;
        }

        // MaxRecvDataSegmentLength: use ALL, so the initiator may declare a new value at any time.
        return DeclareMaxRecvDataSegmentLength(value);
    }
}
