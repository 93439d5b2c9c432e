namespace Storlane.Iscsi.Login;

/// <summary>Answers to the initiator's offers of operational keys (RFC 7143 6.2.1, 6.2.2, 13).</summary>
public sealed partial class LoginNegotiator
{
    /// <summary>Negotiates one key that passed <see cref="CheckOffer"/>.</summary>
    private NegotiationOutcome Negotiate(string key, string value, List<KeyValuePair<string, string>> response)
    {
        if (KeyTable.TryAnswerWithoutRule(key, SessionType, response, out var definition))
        {
            return NegotiationOutcome.Success;
        }

        if (key == TextKeys.FirstBurstLength && !FirstBurstRelevant)
        {
            response.Add(new(key, TextValues.Irrelevant));
            return NegotiationOutcome.Success;
        }

        switch (definition.Rule)
        {
            case KeyRule.Declarative:
                return Declare(key, value);
            case KeyRule.List:
                NegotiateList(key, value, response);
                break;
            case KeyRule.Minimum or KeyRule.Maximum:
                NegotiateNumber(definition, value, response);
                break;
            default:
                NegotiateBoolean(definition, value, response);
                break;
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// "The responding party MUST respond with the same key and the first value that it supports
    /// (and is allowed to use for the specific originator) selected from the originator list. ...
    /// "None" is only a valid selection if it is explicitly proposed. If an acceptor does not
    /// understand any particular value in a list, it MUST ignore it." (6.2.1) With no acceptable
    /// value the answer is "Reject" and the key keeps its current value.
    /// </summary>
    private void NegotiateList(string key, string value, List<KeyValuePair<string, string>> response)
    {
        foreach (var candidate in TextValues.SplitList(value))
        {
            if (TryApplyListValue(key, candidate))
            {
                response.Add(new(key, candidate));
                return;
            }
        }

        response.Add(new(key, TextValues.Reject));
    }

    private bool TryApplyListValue(string key, string candidate)
    {
        switch (key)
        {
            case TextKeys.HeaderDigest when TryDigest(candidate, _limits.AllowHeaderDigest, out var on):
                Parameters.HeaderDigest = on;
                return true;
            case TextKeys.DataDigest when TryDigest(candidate, _limits.AllowDataDigest, out var on):
                Parameters.DataDigest = on;
                return true;
            case TextKeys.TaskReporting when candidate == "RFC3720":
                // ResponseFence and FastAbort (13.23) change task management semantics the target
                // does not implement, so only the default is accepted.
                Parameters.TaskReporting = TaskReportingMode.Rfc3720;
                return true;
            default:
                return false;
        }
    }

    private static bool TryDigest(string candidate, bool allowCrc, out bool crc)
    {
        crc = candidate == "CRC32C";
        return candidate == TextValues.None || (crc && allowCrc);
    }

    /// <summary>
    /// Numerical keys: the result function (Minimum or Maximum) of the offer and the target's value.
    /// "Proposing a value not admissible (e.g., not within the specified bounds) MAY be answered with
    /// the constant "Reject" or the acceptor MAY select an admissible value." (6.2.2) Storlane rejects.
    /// </summary>
    private void NegotiateNumber(KeyDefinition definition, string value, List<KeyValuePair<string, string>> response)
    {
        if (!TextValues.TryParseNumber(value, out var offer) || offer < definition.Min || offer > definition.Max)
        {
            response.Add(new(definition.Name, TextValues.Reject));
            return;
        }

        var ours = (ulong)TargetValue(definition.Name);
        var result = (int)(definition.Rule == KeyRule.Minimum ? Math.Min(offer, ours) : Math.Max(offer, ours));
        ApplyNumber(definition.Name, result);
        response.Add(new(definition.Name, TextValues.FormatNumber(result)));
    }

    /// <summary>
    /// Boolean keys: "the accepting party MUST respond with the same key and the result of the
    /// negotiation when the received value does not determine that result by itself" (6.2.2). When it
    /// does (Yes for an OR function, No for an AND function) the answer is optional and not sent.
    /// </summary>
    private void NegotiateBoolean(KeyDefinition definition, string value, List<KeyValuePair<string, string>> response)
    {
        if (!TextValues.TryParseBoolean(value, out var offer))
        {
            response.Add(new(definition.Name, TextValues.Reject));
            return;
        }

        var ours = TargetBoolean(definition.Name);
        var or = definition.Rule == KeyRule.Or;
        var result = or ? offer || ours : offer && ours;
        ApplyBoolean(definition.Name, result);
        var decidedByOffer = or ? offer : !offer;
        if (!decidedByOffer)
        {
            response.Add(new(definition.Name, TextValues.FormatBoolean(result)));
        }
    }

    /// <summary>The target's side of a numerical negotiation.</summary>
    private int TargetValue(string key) => key switch
    {
        TextKeys.MaxConnections => _limits.MaxConnections,
        TextKeys.MaxBurstLength => _limits.MaxBurstLength,

        // "FirstBurstLength MUST NOT exceed MaxBurstLength." (13.14)
        TextKeys.FirstBurstLength => FirstBurstCap(),
        TextKeys.DefaultTime2Wait => _limits.DefaultTime2Wait,
        TextKeys.DefaultTime2Retain => _limits.DefaultTime2Retain,
        TextKeys.MaxOutstandingR2T => _limits.MaxOutstandingR2T,
        TextKeys.ErrorRecoveryLevel => _limits.ErrorRecoveryLevel,
        TextKeys.IscsiProtocolLevel => _limits.IscsiProtocolLevel,
        _ => throw new InvalidOperationException("not a numerical key: " + key),
    };

    private int FirstBurstCap() => Math.Min(_limits.FirstBurstLength, Math.Min(_limits.MaxBurstLength, Parameters.MaxBurstLength));

    /// <summary>The target's side of a boolean negotiation.</summary>
    private bool TargetBoolean(string key) => key switch
    {
        TextKeys.InitialR2T => _limits.RequireInitialR2T,
        TextKeys.ImmediateData => _limits.AllowImmediateData,

        // The target reassembles data and sequences only in order, so it answers Yes (OR: Yes wins).
        TextKeys.DataPduInOrder or TextKeys.DataSequenceInOrder => true,
        _ => throw new InvalidOperationException("not a boolean key: " + key),
    };

    private void ApplyNumber(string key, int value)
    {
        switch (key)
        {
            case TextKeys.MaxConnections: Parameters.MaxConnections = value; break;
            case TextKeys.MaxBurstLength: Parameters.MaxBurstLength = value; break;
            case TextKeys.FirstBurstLength: Parameters.FirstBurstLength = value; break;
            case TextKeys.DefaultTime2Wait: Parameters.DefaultTime2Wait = value; break;
            case TextKeys.DefaultTime2Retain: Parameters.DefaultTime2Retain = value; break;
            case TextKeys.MaxOutstandingR2T: Parameters.MaxOutstandingR2T = value; break;
            case TextKeys.ErrorRecoveryLevel: Parameters.ErrorRecoveryLevel = value; break;
            case TextKeys.IscsiProtocolLevel: Parameters.IscsiProtocolLevel = value; break;
            default: throw new InvalidOperationException("not a numerical key: " + key);
        }
    }

    private void ApplyBoolean(string key, bool value)
    {
        switch (key)
        {
            case TextKeys.InitialR2T: Parameters.InitialR2T = value; break;
            case TextKeys.ImmediateData: Parameters.ImmediateData = value; break;
            case TextKeys.DataPduInOrder: Parameters.DataPduInOrder = value; break;
            case TextKeys.DataSequenceInOrder: Parameters.DataSequenceInOrder = value; break;
            default: throw new InvalidOperationException("not a boolean key: " + key);
        }
    }

    /// <summary>"Irrelevant when: ( InitialR2T=Yes and ImmediateData=No )" (13.14): no unsolicited data at all.</summary>
    private bool FirstBurstRelevant => !(Parameters.InitialR2T && !Parameters.ImmediateData);
}
