namespace Storlane.Scsi;

/// <summary>Task attribute, numbered as in the iSCSI SCSI Command PDU ATTR field (RFC 7143 11.3.1.2).</summary>
public enum ScsiTaskAttribute : byte
{
    Untagged = 0,
    Simple = 1,
    Ordered = 2,
    HeadOfQueue = 3,
    Aca = 4,
}
