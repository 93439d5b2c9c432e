using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Initiator;

/// <summary>
/// The initiator's side of operational negotiation (RFC 7143 6.2 and 13): the offers it sends and
/// the checks and result functions it applies to the target's answers. A target answer that
/// breaks a rule fails the login with <see cref="LoginStatus.InitiatorError"/>; the caller closes
/// the connection. Keys the target offers on its own are answered too.
/// </summary>
public sealed class InitiatorNegotiation
{
    private const string Crc32C = "CRC32C";

    private readonly InitiatorOffer _offer;
    private readonly SessionType _sessionType;
    private readonly Dictionary<string, string> _offered = new(StringComparer.Ordinal);

    public InitiatorNegotiation(InitiatorOffer offer, SessionType sessionType)
    {
        ArgumentNullException.ThrowIfNull(offer);
        offer.Validate();
        _offer = offer;
        _sessionType = sessionType;
        Parameters.InitiatorMaxRecvDataSegmentLength = offer.MaxRecvDataSegmentLength;
    }

    /// <summary>The values in force once negotiation ends; RFC defaults for keys not (yet) agreed.</summary>
    public OperationalParameters Parameters { get; } = new();

    /// <summary>Offers that have not been answered yet.</summary>
    public int Unanswered => _offered.Count;

    /// <summary>Appends every operational offer for the first LoginOperationalNegotiation request.</summary>
    public void AppendOffers(List<KeyValuePair<string, string>> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        Offer(into, TextKeys.HeaderDigest, DigestOffer(_offer.HeaderDigest));
        Offer(into, TextKeys.DataDigest, DigestOffer(_offer.DataDigest));
        Offer(into, TextKeys.MaxRecvDataSegmentLength, Number(_offer.MaxRecvDataSegmentLength), expectAnswer: false);
        Offer(into, TextKeys.DefaultTime2Wait, Number(_offer.DefaultTime2Wait));
        Offer(into, TextKeys.DefaultTime2Retain, Number(_offer.DefaultTime2Retain));

        // "ErrorRecoveryLevel=0": session recovery only, the one level this initiator implements (13.20).
        Offer(into, TextKeys.ErrorRecoveryLevel, "0");
        if (_sessionType == SessionType.Discovery)
        {
            // Section 13: the data-movement keys are "Irrelevant when: SessionType=Discovery".
            return;
        }

        Offer(into, TextKeys.MaxConnections, "1");
        Offer(into, TextKeys.InitialR2T, TextValues.FormatBoolean(_offer.InitialR2T));
        Offer(into, TextKeys.ImmediateData, TextValues.FormatBoolean(_offer.ImmediateData));
        Offer(into, TextKeys.MaxBurstLength, Number(_offer.MaxBurstLength));
        Offer(into, TextKeys.FirstBurstLength, Number(_offer.FirstBurstLength));
        Offer(into, TextKeys.MaxOutstandingR2T, Number(_offer.MaxOutstandingR2T));
        Offer(into, TextKeys.DataPduInOrder, TextValues.Yes);
        Offer(into, TextKeys.DataSequenceInOrder, TextValues.Yes);
    }

    /// <summary>
    /// Applies one Login Response's text. Answers to the target's own offers go to
    /// <paramref name="answers"/> for the next request.
    /// </summary>
    public NegotiationOutcome Apply(IReadOnlyList<KeyValuePair<string, string>> response, List<KeyValuePair<string, string>> answers)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(answers);
        for (var i = 0; i < response.Count; i++)
        {
            var (key, value) = response[i];
            if (TextKeys.IsSecurityKey(key) || key is TextKeys.TargetAlias or TextKeys.TargetAddress or TextKeys.TargetPortalGroupTag)
            {
                continue;
            }

            var outcome = _offered.Remove(key, out var offered)
                ? ApplyAnswer(key, offered, value)
                : AnswerTargetOffer(key, value, answers);
            if (!outcome.IsSuccess)
            {
                return outcome;
            }
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// Ends the negotiation: offers left unanswered keep their RFC defaults (a target need not answer a
    /// value it cannot change), and the cross-key rules of 13.14 are applied.
    /// </summary>
    public NegotiationOutcome Complete()
    {
        foreach (var (key, offered) in _offered)
        {
            if (key is TextKeys.HeaderDigest or TextKeys.DataDigest && offered == Crc32C)
            {
                return Fail(key + "=CRC32C is required and the target did not answer it");
            }

            // The target "MUST respond ... when the received value does not determine that result by
            // itself" (6.2.2); silence after Yes for an OR key or No for an AND key means our offer is the result.
            if (KeyTable.TryGet(key, out var definition)
                && ((definition.Rule == KeyRule.Or && offered == TextValues.Yes) || (definition.Rule == KeyRule.And && offered == TextValues.No)))
            {
                ApplyBoolean(key, offered == TextValues.Yes);
            }
        }

        _offered.Clear();

        // "FirstBurstLength MUST NOT exceed MaxBurstLength." (13.14)
        if (Parameters.FirstBurstLength > Parameters.MaxBurstLength)
        {
            Parameters.FirstBurstLength = Parameters.MaxBurstLength;
        }

        return NegotiationOutcome.Success;
    }

    private void Offer(List<KeyValuePair<string, string>> into, string key, string value, bool expectAnswer = true)
    {
        into.Add(new(key, value));
        if (expectAnswer)
        {
            _offered[key] = value;
        }
    }

    private NegotiationOutcome ApplyAnswer(string key, string offered, string answer)
    {
        if (answer is TextValues.Reject or TextValues.Irrelevant or TextValues.NotUnderstood)
        {
            // "the key keeps its current value" after Reject; Irrelevant and NotUnderstood leave the
            // RFC default in force (6.2). A required digest cannot fall back.
            return key is TextKeys.HeaderDigest or TextKeys.DataDigest && offered == Crc32C
                ? Fail(key + "=CRC32C is required and the target answered " + answer)
                : NegotiationOutcome.Success;
        }

        if (!KeyTable.TryGet(key, out var definition))
        {
            return NegotiationOutcome.Success;
        }

        switch (definition.Rule)
        {
            case KeyRule.List:
                // "The responding party MUST respond with ... the first value that it supports ...
                // selected from the originator list" (6.2.1): anything not in our list is an error.
                if (Array.IndexOf(TextValues.SplitList(offered), answer) < 0)
                {
                    return Fail($"the target answered {key}={answer}, which was not offered ({offered})");
                }

                ApplyList(key, answer);
                return NegotiationOutcome.Success;
            case KeyRule.Minimum or KeyRule.Maximum:
                if (!TextValues.TryParseNumber(answer, out var result) || result < definition.Min || result > definition.Max)
                {
                    return Fail($"{key}={answer} is not a valid value");
                }

                // The result function: the answer is the result, so it may not exceed our offer for
                // Minimum keys nor fall below it for Maximum keys (6.2.2).
                var ours = ulong.Parse(offered, System.Globalization.CultureInfo.InvariantCulture);
                if (definition.Rule == KeyRule.Minimum ? result > ours : result < ours)
                {
                    return Fail($"{key}={answer} breaks the {definition.Rule} rule for our offer {offered}");
                }

                ApplyNumber(key, (int)result);
                return NegotiationOutcome.Success;
            case KeyRule.Or or KeyRule.And:
                if (!TextValues.TryParseBoolean(answer, out var theirs))
                {
                    return Fail($"{key}={answer} is not Yes or No");
                }

                var mine = offered == TextValues.Yes;
                ApplyBoolean(key, definition.Rule == KeyRule.Or ? mine || theirs : mine && theirs);
                return NegotiationOutcome.Success;
            default:
                return NegotiationOutcome.Success;
        }
    }

    /// <summary>Answers a key the target offered itself (it spoke first, so we are the responder).</summary>
    private NegotiationOutcome AnswerTargetOffer(string key, string value, List<KeyValuePair<string, string>> answers)
    {
        if (key == TextKeys.MaxRecvDataSegmentLength)
        {
            // Declarative (13.12): the target's receive limit, the largest segment we may send.
            if (!TextValues.TryParseNumber(value, out var length) || length < 512 || length > TargetNegotiationLimits.MaxLengthValue)
            {
                return Fail("MaxRecvDataSegmentLength=" + value + " is out of range");
            }

            Parameters.TargetMaxRecvDataSegmentLength = (int)length;
            return NegotiationOutcome.Success;
        }

        if (KeyTable.TryAnswerWithoutRule(key, _sessionType, answers, out var definition))
        {
            return NegotiationOutcome.Success;
        }

        switch (definition.Rule)
        {
            case KeyRule.List:
                foreach (var candidate in TextValues.SplitList(value))
                {
                    if (Accepts(key, candidate))
                    {
                        ApplyList(key, candidate);
                        answers.Add(new(key, candidate));
                        return NegotiationOutcome.Success;
                    }
                }

                answers.Add(new(key, TextValues.Reject));
                return NegotiationOutcome.Success;
            case KeyRule.Minimum or KeyRule.Maximum:
                if (!TextValues.TryParseNumber(value, out var theirs) || theirs < definition.Min || theirs > definition.Max)
                {
                    answers.Add(new(key, TextValues.Reject));
                    return NegotiationOutcome.Success;
                }

                var ours = (ulong)OurNumber(key);
                var result = (int)(definition.Rule == KeyRule.Minimum ? Math.Min(theirs, ours) : Math.Max(theirs, ours));
                ApplyNumber(key, result);
                answers.Add(new(key, Number(result)));
                return NegotiationOutcome.Success;
            case KeyRule.Or or KeyRule.And:
                if (!TextValues.TryParseBoolean(value, out var offer))
                {
                    answers.Add(new(key, TextValues.Reject));
                    return NegotiationOutcome.Success;
                }

                var or = definition.Rule == KeyRule.Or;
                var combined = or ? offer || OurBoolean(key) : offer && OurBoolean(key);
                ApplyBoolean(key, combined);
                answers.Add(new(key, TextValues.FormatBoolean(combined)));
                return NegotiationOutcome.Success;
            default:
                return NegotiationOutcome.Success;
        }
    }

    private bool Accepts(string key, string candidate) => key switch
    {
        TextKeys.HeaderDigest => candidate == Crc32C ? _offer.HeaderDigest != DigestPreference.None : _offer.HeaderDigest != DigestPreference.Required && candidate == TextValues.None,
        TextKeys.DataDigest => candidate == Crc32C ? _offer.DataDigest != DigestPreference.None : _offer.DataDigest != DigestPreference.Required && candidate == TextValues.None,
        TextKeys.TaskReporting => candidate == "RFC3720",
        _ => false,
    };

    private void ApplyList(string key, string value)
    {
        switch (key)
        {
            case TextKeys.HeaderDigest: Parameters.HeaderDigest = value == Crc32C; break;
            case TextKeys.DataDigest: Parameters.DataDigest = value == Crc32C; break;
            case TextKeys.TaskReporting: Parameters.TaskReporting = TaskReportingMode.Rfc3720; break;
        }
    }

    private int OurNumber(string key) => key switch
    {
        TextKeys.MaxConnections => 1,
        TextKeys.MaxBurstLength => _offer.MaxBurstLength,
        TextKeys.FirstBurstLength => _offer.FirstBurstLength,
        TextKeys.DefaultTime2Wait => _offer.DefaultTime2Wait,
        TextKeys.DefaultTime2Retain => _offer.DefaultTime2Retain,
        TextKeys.MaxOutstandingR2T => _offer.MaxOutstandingR2T,
        TextKeys.IscsiProtocolLevel => 1,
        _ => 0,
    };

    private bool OurBoolean(string key) => key switch
    {
        TextKeys.InitialR2T => _offer.InitialR2T,
        TextKeys.ImmediateData => _offer.ImmediateData,
        _ => true,
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
        }
    }

    private static string DigestOffer(DigestPreference preference) => preference switch
    {
        DigestPreference.Preferred => "CRC32C,None",
        DigestPreference.Required => Crc32C,
        _ => TextValues.None,
    };

    private static string Number(int value) => TextValues.FormatNumber(value);

    private static NegotiationOutcome Fail(string reason) => NegotiationOutcome.Fail(LoginStatus.InitiatorError, reason);
}
