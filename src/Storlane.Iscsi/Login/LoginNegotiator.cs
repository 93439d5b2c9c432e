namespace Storlane.Iscsi.Login;

/// <summary>
/// Target side of text negotiation for one connection: the operational keys of a login (RFC 7143
/// sections 6 and 13) and, on the same instance, Text Requests in full feature phase.
/// <para>
/// Per login request: call <see cref="Process"/> with the request's pairs (after the security keys
/// went to the authenticator), then <see cref="AppendTargetDeclarations"/> before sending a response
/// in the operational stage. While <see cref="AwaitingInitiatorResponses"/> is true the target has
/// offered keys the initiator has yet to answer, so the response must not set T=1.
/// </para>
/// <para>
/// SendTargets is not negotiated here: in full feature phase <see cref="Process"/> skips it and the
/// caller reads it with <see cref="TryGetSendTargets"/>. Bad input never throws; it returns a failed
/// <see cref="NegotiationOutcome"/>, after which the response list must be discarded.
/// </para>
/// </summary>
public sealed partial class LoginNegotiator
{
    private readonly TargetNegotiationLimits _limits;

    /// <summary>Keys declared or negotiated so far in this login, by either side (RFC 7143 6.2).</summary>
    private readonly HashSet<string> _negotiated = new(StringComparer.Ordinal);

    /// <summary>Keys the target offered and the initiator has not answered yet, with the offered value.</summary>
    private readonly Dictionary<string, ulong> _pendingOffers = new(StringComparer.Ordinal);

    /// <summary>
    /// Keys the target offered whose outcome the offer decided alone (ImmediateData=No): the next
    /// request may still answer them, with the decided value only.
    /// </summary>
    private readonly Dictionary<string, string> _decidedOffers = new(StringComparer.Ordinal);

    private int _loginRequests;
    private LoginPhase? _lastLoginPhase;
    private NegotiationOutcome? _loginFailure;

    /// <summary>Creates the negotiator; throws if <paramref name="limits"/> is outside RFC ranges.</summary>
    public LoginNegotiator(TargetNegotiationLimits limits, bool leadingConnection)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _limits = limits;
        IsLeadingConnection = leadingConnection;
    }

    public bool IsLeadingConnection { get; }

    public string? InitiatorName { get; private set; }

    public string? InitiatorAlias { get; private set; }

    public string? TargetName { get; private set; }

    /// <summary>X#NodeArchitecture the initiator declared (RFC 7143 13.26), for logs.</summary>
    public string? InitiatorNodeArchitecture { get; private set; }

    public SessionType SessionType { get; private set; }

    public OperationalParameters Parameters { get; } = new();

    public bool InitiatorNameSeen => InitiatorName is not null;

    /// <summary>True while keys the target offered wait for the initiator's answer.</summary>
    public bool AwaitingInitiatorResponses => _pendingOffers.Count > 0;

    /// <summary>
    /// Finds SendTargets in a Text Request. Its value is "All", a target name, or empty for the
    /// session's own target (RFC 7143 13.3); the caller builds the answer.
    /// </summary>
    public static bool TryGetSendTargets(IReadOnlyList<KeyValuePair<string, string>> offered, out string value)
    {
        ArgumentNullException.ThrowIfNull(offered);
        for (var i = 0; i < offered.Count; i++)
        {
            if (offered[i].Key == TextKeys.SendTargets)
            {
                value = offered[i].Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>
    /// Negotiates the keys of one complete request and appends the target's answers to
    /// <paramref name="response"/>. Security keys are left to the authenticator.
    /// </summary>
    public NegotiationOutcome Process(LoginPhase phase, IReadOnlyList<KeyValuePair<string, string>> offered, List<KeyValuePair<string, string>> response)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(response);
        if (phase == LoginPhase.FullFeature)
        {
            return ProcessFullFeature(offered, response);
        }

        if (_loginFailure is { } failed)
        {
            return failed;
        }

        var outcome = ProcessLogin(phase, offered, response);
        if (!outcome.IsSuccess)
        {
            _loginFailure = outcome;
        }

        return outcome;
    }

    private NegotiationOutcome ProcessLogin(LoginPhase phase, IReadOnlyList<KeyValuePair<string, string>> offered, List<KeyValuePair<string, string>> response)
    {
        var first = _loginRequests++ == 0;
        _lastLoginPhase = phase;
        var answers = new HashSet<string>(StringComparer.Ordinal);

        var outcome = Screen(phase, offered, first, answers);
        _decidedOffers.Clear(); // an optional answer belongs in this request or nowhere
        if (outcome.IsSuccess && first)
        {
            outcome = CheckFirstRequest();
        }

        if (outcome.IsSuccess)
        {
            outcome = NegotiateAll(offered, answers, response);
        }

        if (outcome.IsSuccess && _pendingOffers.Count > 0)
        {
            // The answer to an offer belongs in the next request: "the accepting party MUST answer
            // with the same key" (6.2.2).
            outcome = Fail(LoginStatus.InitiatorError, $"the initiator did not answer the target's offer of {string.Join(", ", _pendingOffers.Keys)}");
        }

        if (outcome.IsSuccess)
        {
            outcome = CheckBurstLengths();
        }

        if (outcome.IsSuccess && first && SessionType == SessionType.Normal)
        {
            // "The iSCSI target returns this key to the initiator in the Login Response PDU to the
            // first Login Request PDU that has the C bit set to 0 when TargetName is given by the
            // initiator." (13.9)
            DeclarePortalGroupTag(response);
        }

        return outcome;
    }

    /// <summary>
    /// Pass 1: phase, repeats, reserved values and the identity declarations, so that every other key
    /// sees the right SessionType whatever the order of the pairs. Collects answers to target offers.
    /// </summary>
    private NegotiationOutcome Screen(LoginPhase phase, IReadOnlyList<KeyValuePair<string, string>> offered, bool first, HashSet<string> answers)
    {
        for (var i = 0; i < offered.Count; i++)
        {
            var (key, value) = (offered[i].Key, offered[i].Value);
            var security = TextKeys.IsSecurityKey(key);
            if (security && phase != LoginPhase.Security)
            {
                // AuthMethod and the authentication keys: "Use: During Login - Security Negotiation" (12).
                return Fail(LoginStatus.InitiatorError, $"{key} belongs to the security negotiation stage");
            }

            if (security)
            {
                continue; // the authenticator's business
            }

            if (_pendingOffers.ContainsKey(key) || _decidedOffers.ContainsKey(key) || answers.Contains(key))
            {
                var answer = CheckAnswer(key, value, answers);
                if (!answer.IsSuccess)
                {
                    return answer;
                }

                continue;
            }

            if (IsSameDeclarationAgain(key, value))
            {
                continue;
            }

            var outcome = CheckOffer(key, value, phase, first);
            if (outcome.IsSuccess && IsIdentityKey(key))
            {
                outcome = DeclareIdentity(key, value, first);
            }

            if (!outcome.IsSuccess)
            {
                return outcome;
            }
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// Pass 2: answers to target offers and negotiation of the rest. FirstBurstLength waits for the
    /// InitialR2T and ImmediateData of the same request, which decide whether it is relevant.
    /// </summary>
    private NegotiationOutcome NegotiateAll(IReadOnlyList<KeyValuePair<string, string>> offered, HashSet<string> answers, List<KeyValuePair<string, string>> response)
    {
        string? firstBurst = null;
        for (var i = 0; i < offered.Count; i++)
        {
            var (key, value) = (offered[i].Key, offered[i].Value);
            var outcome = NegotiationOutcome.Success;
            if (answers.Contains(key))
            {
                outcome = _pendingOffers.ContainsKey(key) ? AcceptAnswer(key, value) : NegotiationOutcome.Success;
            }
            else if (key == TextKeys.FirstBurstLength)
            {
                firstBurst = value;
            }
            else if (!TextKeys.IsSecurityKey(key) && !IsIdentityKey(key))
            {
                outcome = Negotiate(key, value, response);
            }

            if (!outcome.IsSuccess)
            {
                return outcome;
            }
        }

        return firstBurst is null ? NegotiationOutcome.Success : Negotiate(TextKeys.FirstBurstLength, firstBurst, response);
    }

    /// <summary>An answer to a target offer: once, and for a decided offer only with the decided value.</summary>
    private NegotiationOutcome CheckAnswer(string key, string value, HashSet<string> answers)
    {
        if (!answers.Add(key))
        {
            return Fail(LoginStatus.InitiatorError, $"{key} is answered more than once");
        }

        // Answers are OPTIONAL when the offer decided the outcome (6.2.2); one that is sent must
        // state that outcome.
        return _decidedOffers.Remove(key, out var decided) && value != decided
            ? Fail(LoginStatus.InitiatorError, $"the initiator answered {key}={value} to the target's {key}={decided}")
            : NegotiationOutcome.Success;
    }

    /// <summary>Rules every initiator offer or declaration in a login must pass before its value matters.</summary>
    private NegotiationOutcome CheckOffer(string key, string value, LoginPhase phase, bool first)
    {
        // "Neither the initiator nor the target should attempt to declare or negotiate a parameter
        // more than once during login ... An attempt to renegotiate/redeclare parameters not
        // specifically allowed MUST be detected by the initiator and target. If such an attempt is
        // detected by the target, the target MUST respond with Login reject (initiator error)" (6.3)
        if (!_negotiated.Add(key))
        {
            return Fail(LoginStatus.InitiatorError, $"{key} was declared or negotiated more than once during login");
        }

        if (TextValues.IsReservedAnswer(value))
        {
            return Fail(LoginStatus.InitiatorError, $"{key}={value}: a reserved constant is not a proposal");
        }

        if (!KeyTable.TryGet(key, out var definition))
        {
            return NegotiationOutcome.Success; // answered NotUnderstood in pass 2
        }

        if (definition.Sender == KeySender.Target)
        {
            return Fail(LoginStatus.InitiatorError, $"{key} is sent only by targets");
        }

        if (definition.Use == KeyUse.FullFeatureOnly)
        {
            return Fail(LoginStatus.InitiatorError, $"{key} is allowed only in full feature phase");
        }

        if (phase == LoginPhase.Security && !definition.InSecurityPhase)
        {
            // "Only the following keys are used during the SecurityNegotiation stage ... Other keys
            // MUST NOT be used." (12)
            return Fail(LoginStatus.InitiatorError, $"{key} is not allowed in the security negotiation stage");
        }

        if (definition.Use == KeyUse.LeadingOnly && !IsLeadingConnection && !IsToleratedOnSecondaryConnection(key, value))
        {
            return Fail(LoginStatus.InitiatorError, $"{key} is leading-only (LO) and this is not the leading connection");
        }

        if (key == TextKeys.SessionType && !first)
        {
            // TargetName is mandatory or optional depending on the session type, so the type must
            // come with the first request, where that check is made.
            return Fail(LoginStatus.InitiatorError, "SessionType must be declared in the first Login Request");
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// Only normal sessions have more than one connection (MaxConnections is irrelevant for
    /// discovery), so a non-leading connection that restates SessionType=Normal says nothing new.
    /// Tolerated for interoperability; any other LO key there is an error.
    /// </summary>
    private static bool IsToleratedOnSecondaryConnection(string key, string value) =>
        key == TextKeys.SessionType && value == "Normal";

    private NegotiationOutcome CheckFirstRequest()
    {
        if (InitiatorName is null)
        {
            // "The initiator of the TCP connection MUST provide this key to the remote endpoint at the
            // first login of the Login Phase for every connection." (13.5)
            return Fail(LoginStatus.MissingParameter, "the first Login Request has no InitiatorName");
        }

        if (SessionType == SessionType.Normal && TargetName is null)
        {
            // "The initiator of the TCP connection MUST provide this key to the remote endpoint in the
            // first Login Request if the initiator is not establishing a Discovery session." (13.4)
            return Fail(LoginStatus.MissingParameter, "the first Login Request of a normal session has no TargetName");
        }

        return NegotiationOutcome.Success;
    }

    /// <summary>
    /// An identity declaration repeated with the value already declared. "The InitiatorName MUST NOT
    /// be redeclared within the Login Phase" (13.5; TargetName likewise, 13.4), and 6.3 makes the
    /// target refuse "an attempt to renegotiate/redeclare": a different value is such an attempt and
    /// goes on to <see cref="CheckOffer"/>, which refuses it. The same value changes nothing the
    /// target holds, and libiscsi sends it: with CHAP credentials for a target that answers
    /// AuthMethod=None it states InitiatorName, TargetName and SessionType again in the operational
    /// stage (UNH-IOL's conformance tests accept such repeats too). Negotiated keys get no such
    /// allowance: a second offer would be answered again, which is a renegotiation.
    /// </summary>
    private bool IsSameDeclarationAgain(string key, string value) =>
        _negotiated.Contains(key) && key switch
        {
            TextKeys.InitiatorName => value == InitiatorName,
            TextKeys.TargetName => value == TargetName,
            TextKeys.InitiatorAlias => value == InitiatorAlias,
            TextKeys.SessionType => value == (SessionType == SessionType.Discovery ? "Discovery" : "Normal"),
            _ => false,
        };

    private static bool IsIdentityKey(string key) =>
        key is TextKeys.InitiatorName or TextKeys.TargetName or TextKeys.SessionType or TextKeys.InitiatorAlias;

    private static NegotiationOutcome Fail(LoginStatus status, string reason) => NegotiationOutcome.Fail(status, reason);
}
