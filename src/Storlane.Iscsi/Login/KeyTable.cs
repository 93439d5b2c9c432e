using System.Collections.Frozen;

namespace Storlane.Iscsi.Login;

/// <summary>The login/text keys of RFC 7143 section 13 (and iSCSIProtocolLevel of RFC 7144) that Storlane understands.</summary>
internal static class KeyTable
{
    private const ulong MaxLength = TargetNegotiationLimits.MaxLengthValue;

    private static readonly FrozenDictionary<string, KeyDefinition> Keys = Build(
    [
        new(TextKeys.HeaderDigest, KeyUse.InitializeOnly, KeySender.Both, KeyRule.List),
        new(TextKeys.DataDigest, KeyUse.InitializeOnly, KeySender.Both, KeyRule.List),
        new(TextKeys.MaxConnections, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, IrrelevantInDiscovery: true, Min: 1, Max: 65535),
        new(TextKeys.SendTargets, KeyUse.FullFeatureOnly, KeySender.Initiator, KeyRule.Declarative),
        new(TextKeys.TargetName, KeyUse.InitializeOnly, KeySender.Initiator, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.InitiatorName, KeyUse.InitializeOnly, KeySender.Initiator, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.TargetAlias, KeyUse.All, KeySender.Target, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.InitiatorAlias, KeyUse.All, KeySender.Initiator, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.TargetAddress, KeyUse.All, KeySender.Target, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.TargetPortalGroupTag, KeyUse.InitializeOnly, KeySender.Target, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.InitialR2T, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Or, IrrelevantInDiscovery: true),
        new(TextKeys.ImmediateData, KeyUse.LeadingOnly, KeySender.Both, KeyRule.And, IrrelevantInDiscovery: true),
        new(TextKeys.MaxRecvDataSegmentLength, KeyUse.All, KeySender.Both, KeyRule.Declarative, Min: 512, Max: MaxLength),
        new(TextKeys.MaxBurstLength, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, IrrelevantInDiscovery: true, Min: 512, Max: MaxLength),
        new(TextKeys.FirstBurstLength, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, IrrelevantInDiscovery: true, Min: 512, Max: MaxLength),
        new(TextKeys.DefaultTime2Wait, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Maximum, Min: 0, Max: 3600),
        new(TextKeys.DefaultTime2Retain, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, Min: 0, Max: 3600),
        new(TextKeys.MaxOutstandingR2T, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, IrrelevantInDiscovery: true, Min: 1, Max: 65535),
        new(TextKeys.DataPduInOrder, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Or, IrrelevantInDiscovery: true),
        new(TextKeys.DataSequenceInOrder, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Or, IrrelevantInDiscovery: true),
        new(TextKeys.ErrorRecoveryLevel, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, Min: 0, Max: 2),
        new(TextKeys.SessionType, KeyUse.LeadingOnly, KeySender.Initiator, KeyRule.Declarative, InSecurityPhase: true),
        new(TextKeys.TaskReporting, KeyUse.LeadingOnly, KeySender.Both, KeyRule.List, IrrelevantInDiscovery: true),
        new(TextKeys.IscsiProtocolLevel, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Minimum, IrrelevantInDiscovery: true, Min: 0, Max: 31),
        new(TextKeys.NodeArchitecture, KeyUse.LeadingOnly, KeySender.Both, KeyRule.Declarative),
        new(TextKeys.IFMarker, KeyUse.InitializeOnly, KeySender.Both, KeyRule.Obsolete),
        new(TextKeys.OFMarker, KeyUse.InitializeOnly, KeySender.Both, KeyRule.Obsolete),
        new(TextKeys.IFMarkInt, KeyUse.InitializeOnly, KeySender.Both, KeyRule.Obsolete),
        new(TextKeys.OFMarkInt, KeyUse.InitializeOnly, KeySender.Both, KeyRule.Obsolete),
    ]);

    public static bool TryGet(string key, out KeyDefinition definition) => Keys.TryGetValue(key, out definition!);

    /// <summary>
    /// Answers the keys no negotiation rule applies to, the same on both sides of a login: unknown
    /// keys (X- and X# extensions included) "MUST be key=NotUnderstood" (RFC 7143 6.2); obsolete
    /// marker keys get "Reject" (13.25: "when an OFMarkInt or IFMarkInt key is received, a compliant
    /// iSCSI implementation MUST respond with the constant "Reject" value", the SHOULD for IFMarker
    /// and OFMarker); keys "Irrelevant when: SessionType=Discovery" (section 13) get Irrelevant.
    /// Returns true when it answered; otherwise <paramref name="definition"/> is the key's rule.
    /// </summary>
    public static bool TryAnswerWithoutRule(string key, SessionType sessionType, List<KeyValuePair<string, string>> answers, out KeyDefinition definition)
    {
        if (!TryGet(key, out definition))
        {
            answers.Add(new(key, TextValues.NotUnderstood));
            return true;
        }

        var answer = definition.Rule == KeyRule.Obsolete ? TextValues.Reject
            : definition.IrrelevantInDiscovery && sessionType == SessionType.Discovery ? TextValues.Irrelevant
            : null;
        if (answer is null)
        {
            return false;
        }

        answers.Add(new(key, answer));
        return true;
    }

    public static bool Contains(string key) => Keys.ContainsKey(key);

    private static FrozenDictionary<string, KeyDefinition> Build(KeyDefinition[] definitions)
    {
        var map = new Dictionary<string, KeyDefinition>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            map.Add(definition.Name, definition);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
