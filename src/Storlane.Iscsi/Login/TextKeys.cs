namespace Storlane.Iscsi.Login;

/// <summary>Login and text key names as RFC 7143 spells them (keys are case sensitive, 6.1).</summary>
public static class TextKeys
{
    public const string HeaderDigest = "HeaderDigest";
    public const string DataDigest = "DataDigest";
    public const string MaxConnections = "MaxConnections";
    public const string SendTargets = "SendTargets";
    public const string TargetName = "TargetName";
    public const string InitiatorName = "InitiatorName";
    public const string TargetAlias = "TargetAlias";
    public const string InitiatorAlias = "InitiatorAlias";
    public const string TargetAddress = "TargetAddress";
    public const string TargetPortalGroupTag = "TargetPortalGroupTag";
    public const string InitialR2T = "InitialR2T";
    public const string ImmediateData = "ImmediateData";
    public const string MaxRecvDataSegmentLength = "MaxRecvDataSegmentLength";
    public const string MaxBurstLength = "MaxBurstLength";
    public const string FirstBurstLength = "FirstBurstLength";
    public const string DefaultTime2Wait = "DefaultTime2Wait";
    public const string DefaultTime2Retain = "DefaultTime2Retain";
    public const string MaxOutstandingR2T = "MaxOutstandingR2T";
    public const string DataPduInOrder = "DataPDUInOrder";
    public const string DataSequenceInOrder = "DataSequenceInOrder";
    public const string ErrorRecoveryLevel = "ErrorRecoveryLevel";
    public const string SessionType = "SessionType";
    public const string TaskReporting = "TaskReporting";
    public const string IscsiProtocolLevel = "iSCSIProtocolLevel";
    public const string NodeArchitecture = "X#NodeArchitecture";

    // Obsoleted by RFC 7143 13.25; still answered.
    public const string IFMarker = "IFMarker";
    public const string OFMarker = "OFMarker";
    public const string IFMarkInt = "IFMarkInt";
    public const string OFMarkInt = "OFMarkInt";

    // Security negotiation (RFC 7143 12).
    public const string AuthMethod = "AuthMethod";
    public const string ChapAlgorithm = "CHAP_A";
    public const string ChapIdentifier = "CHAP_I";
    public const string ChapChallenge = "CHAP_C";
    public const string ChapName = "CHAP_N";
    public const string ChapResponse = "CHAP_R";

    /// <summary>
    /// AuthMethod and the keys of the authentication methods in RFC 7143 12.1 (CHAP_*, KRB_*, SRP_*):
    /// the authenticator's business, not the operational negotiator's.
    /// </summary>
    public static bool IsSecurityKey(string key) =>
        key == AuthMethod
        || key.StartsWith("CHAP_", StringComparison.Ordinal)
        || key.StartsWith("KRB_", StringComparison.Ordinal)
        || key.StartsWith("SRP_", StringComparison.Ordinal);
}
