namespace Storlane.Iscsi.Initiator;

/// <summary>What the initiator offers for HeaderDigest or DataDigest (RFC 7143 13.1).</summary>
public enum DigestPreference
{
    /// <summary>Offers "None" only.</summary>
    None,

    /// <summary>Offers "CRC32C,None": digests when the target agrees.</summary>
    Preferred,

    /// <summary>Offers "CRC32C" only: login fails when the target refuses.</summary>
    Required,
}
