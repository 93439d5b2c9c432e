namespace Storlane.Iscsi.Login;

/// <summary>Declarative keys both ways, and the keys the target offers on its own.</summary>
public sealed partial class LoginNegotiator
{
    private bool _portalGroupTagSent;
    private bool _aliasSent;
    private bool _maxRecvDataSegmentLengthSent;

    /// <summary>
    /// Adds the target's declarations not sent yet and offers the keys whose RFC default the target
    /// cannot accept. Idempotent: call it before every login response (the operational stage gets
    /// everything; the security stage only the declarations RFC 7143 12 allows there). Offers leave
    /// <see cref="AwaitingInitiatorResponses"/> true until the initiator answers in its next request.
    /// </summary>
    public void AppendTargetDeclarations(List<KeyValuePair<string, string>> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (_loginRequests == 0 || _loginFailure is not null)
        {
            return;
        }

        var normal = SessionType == SessionType.Normal;
        if (normal)
        {
            DeclarePortalGroupTag(response);
            if (_limits.TargetAlias is { } alias && !_aliasSent)
            {
                // "this name SHOULD be communicated to the initiator during a Login Response PDU if
                // SessionType=Normal" (13.6)
                response.Add(new(TextKeys.TargetAlias, alias));
                _aliasSent = true;
            }
        }

        if (_lastLoginPhase != LoginPhase.Operational)
        {
            return;
        }

        if (!_maxRecvDataSegmentLengthSent)
        {
            // Declarative (13.12): each side states what it can receive; no answer follows.
            response.Add(new(TextKeys.MaxRecvDataSegmentLength, TextValues.FormatNumber(_limits.MaxRecvDataSegmentLength)));
            Parameters.TargetMaxRecvDataSegmentLength = _limits.MaxRecvDataSegmentLength;
            _maxRecvDataSegmentLengthSent = true;
        }

        if (normal && IsLeadingConnection)
        {
            OfferNeededKeys(response);
        }
    }

    private void DeclarePortalGroupTag(List<KeyValuePair<string, string>> response)
    {
        if (!_portalGroupTagSent)
        {
            response.Add(new(TextKeys.TargetPortalGroupTag, TextValues.FormatNumber(_limits.TargetPortalGroupTag)));
            _portalGroupTagSent = true;
        }
    }

    /// <summary>
    /// Keys the initiator never offered keep their defaults, unless the target cannot live with the
    /// default: then the target proposes its value and the initiator answers with the result.
    /// </summary>
    private void OfferNeededKeys(List<KeyValuePair<string, string>> response)
    {
        if (!_limits.AllowImmediateData && Parameters.ImmediateData && _negotiated.Add(TextKeys.ImmediateData))
        {
            // AND with No is No: the outcome is decided by the offer, so no answer is awaited (6.2.2).
            response.Add(new(TextKeys.ImmediateData, TextValues.No));
            _decidedOffers.Add(TextKeys.ImmediateData, TextValues.No);
            Parameters.ImmediateData = false;
        }

        if (_limits.MaxBurstLength < Parameters.MaxBurstLength)
        {
            Offer(TextKeys.MaxBurstLength, _limits.MaxBurstLength, response);
        }

        // FirstBurstCap includes the MaxBurstLength cap just offered: FirstBurstLength never exceeds it.
        var firstBurstCap = FirstBurstCap();
        if (FirstBurstRelevant && firstBurstCap < Parameters.FirstBurstLength)
        {
            Offer(TextKeys.FirstBurstLength, firstBurstCap, response);
        }

        if (_limits.DefaultTime2Wait > Parameters.DefaultTime2Wait)
        {
            Offer(TextKeys.DefaultTime2Wait, _limits.DefaultTime2Wait, response);
        }

        if (_limits.DefaultTime2Retain < Parameters.DefaultTime2Retain)
        {
            Offer(TextKeys.DefaultTime2Retain, _limits.DefaultTime2Retain, response);
        }
    }

    private void Offer(string key, int value, List<KeyValuePair<string, string>> response)
    {
        if (_negotiated.Add(key))
        {
            response.Add(new(key, TextValues.FormatNumber(value)));
            _pendingOffers.Add(key, (ulong)value);
        }
    }

    /// <summary>
    /// The initiator's answer to a key the target offered: a response, not a new offer, so it is not
    /// answered again. "The selection by the acceptor of a value not admissible under the selection
    /// rules is considered a protocol error." (6.2.2)
    /// </summary>
    private NegotiationOutcome AcceptAnswer(string key, string value)
    {
        var offered = _pendingOffers[key];
        _pendingOffers.Remove(key);
        KeyTable.TryGet(key, out var definition);
        if (TextValues.IsReservedAnswer(value))
        {
            // The key keeps its current value; fatal only where the target cannot work with it.
            return key == TextKeys.MaxBurstLength || (key == TextKeys.FirstBurstLength && FirstBurstRelevant)
                ? Fail(LoginStatus.InitiatorError, $"the initiator answered {key}={value}; the target cannot use the default")
                : NegotiationOutcome.Success;
        }

        var admissible = TextValues.TryParseNumber(value, out var answer) && (definition!.Rule == KeyRule.Minimum
            ? answer >= definition.Min && answer <= offered
            : answer >= offered && answer <= definition.Max);
        if (!admissible)
        {
            return Fail(LoginStatus.InitiatorError, $"the initiator answered {key}={value} to the target's offer of {offered}");
        }

        ApplyNumber(key, (int)answer);
        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// "FirstBurstLength MUST NOT exceed MaxBurstLength." (13.14) Checked once both are settled: a
    /// pending offer or an unnegotiated default can still move.
    /// </summary>
    private NegotiationOutcome CheckBurstLengths()
    {
        var settled = _negotiated.Contains(TextKeys.FirstBurstLength)
            && !_pendingOffers.ContainsKey(TextKeys.FirstBurstLength)
            && !_pendingOffers.ContainsKey(TextKeys.MaxBurstLength);
        return settled && FirstBurstRelevant && Parameters.FirstBurstLength > Parameters.MaxBurstLength
            ? Fail(LoginStatus.InitiatorError, $"FirstBurstLength {Parameters.FirstBurstLength} exceeds MaxBurstLength {Parameters.MaxBurstLength}")
            : NegotiationOutcome.Success;
    }

    /// <summary>InitiatorName, TargetName, SessionType and InitiatorAlias: captured, never answered.</summary>
    private NegotiationOutcome DeclareIdentity(string key, string value, bool first)
    {
        switch (key)
        {
            case TextKeys.InitiatorName:
                if (!TextValues.IsValidIscsiName(value))
                {
                    return Fail(LoginStatus.InitiatorError, "InitiatorName is not a valid iSCSI name");
                }

                InitiatorName = value;
                break;
            case TextKeys.TargetName:
                if (!TextValues.IsValidIscsiName(value))
                {
                    return Fail(LoginStatus.InitiatorError, "TargetName is not a valid iSCSI name");
                }

                TargetName = value;
                break;
            case TextKeys.SessionType when first:
                if (value == "Discovery" && IsLeadingConnection)
                {
                    SessionType = SessionType.Discovery;
                }
                else if (value != "Normal")
                {
                    return Fail(LoginStatus.SessionTypeNotSupported, $"SessionType={value} is not supported here");
                }

                break;
            case TextKeys.InitiatorAlias:
                InitiatorAlias = value;
                break;
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>The other declarative keys an initiator may send during login.</summary>
    private NegotiationOutcome Declare(string key, string value)
    {
        if (key == TextKeys.NodeArchitecture)
        {
            InitiatorNodeArchitecture = value;
            return NegotiationOutcome.Success;
        }

        return DeclareMaxRecvDataSegmentLength(value);
    }

    /// <summary>
    /// MaxRecvDataSegmentLength=&lt;numerical-value-512-to-(2**24 - 1)&gt; (13.12): the largest data
    /// segment the initiator can receive. A declaration has no answer to carry "Reject", so a value
    /// outside the range fails the exchange.
    /// </summary>
    private NegotiationOutcome DeclareMaxRecvDataSegmentLength(string value)
    {
        if (!TextValues.TryParseNumber(value, out var length) || length < 512 || length > TargetNegotiationLimits.MaxLengthValue)
        {
            return Fail(LoginStatus.InitiatorError, $"MaxRecvDataSegmentLength={value} is outside 512..16777215");
        }

        Parameters.InitiatorMaxRecvDataSegmentLength = (int)length;
        return NegotiationOutcome.Success;
    }
}
