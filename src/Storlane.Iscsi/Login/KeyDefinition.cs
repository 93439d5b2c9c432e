namespace Storlane.Iscsi.Login;

/// <summary>"Use" of a key in RFC 7143 section 13.</summary>
internal enum KeyUse
{
    /// <summary>LO: only during the Login Phase of the leading connection.</summary>
    LeadingOnly,

    /// <summary>IO: only during the Login Phase of a connection.</summary>
    InitializeOnly,

    /// <summary>ALL: during login and in full feature phase.</summary>
    All,

    /// <summary>FFPO: only in full feature phase.</summary>
    FullFeatureOnly,
}

/// <summary>Who may send a key as an offer or declaration.</summary>
internal enum KeySender
{
    Initiator,
    Target,
    Both,
}

/// <summary>How a key's outcome is computed (RFC 7143 6.2.1 and 6.2.2, plus each key's result function).</summary>
internal enum KeyRule
{
    Declarative,
    List,
    Minimum,
    Maximum,
    Or,
    And,

    /// <summary>Obsoleted by 13.25 and answered "Reject".</summary>
    Obsolete,
}

/// <summary>One row of the key table: what section 13 says about a key.</summary>
/// <param name="InSecurityPhase">
/// Listed in RFC 7143 12 as usable in the security stage: "Only the following keys are used during
/// the SecurityNegotiation stage of the Login Phase: SessionType, InitiatorName, TargetName,
/// TargetAddress, InitiatorAlias, TargetAlias, TargetPortalGroupTag, AuthMethod, and the keys used by
/// the authentication methods ... Other keys MUST NOT be used."
/// </param>
internal sealed record KeyDefinition(
    string Name,
    KeyUse Use,
    KeySender Sender,
    KeyRule Rule,
    bool IrrelevantInDiscovery = false,
    ulong Min = 0,
    ulong Max = 0,
    bool InSecurityPhase = false);
