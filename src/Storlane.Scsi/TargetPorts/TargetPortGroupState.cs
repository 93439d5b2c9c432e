namespace Storlane.Scsi;

/// <summary>ASYMMETRIC ACCESS STATE of a target port group (SPC-4 5.16.2.4, table 44), as the field encodes it.</summary>
public enum TargetPortGroupState : byte
{
    /// <summary>Every command runs.</summary>
    ActiveOptimized = 0x0,

    /// <summary>Every command runs (an initiator should prefer an optimized path).</summary>
    ActiveNonOptimized = 0x1,

    /// <summary>Only the commands of SPC-4 5.16.2.4.4 run; others are NOT READY, TARGET PORT IN STANDBY STATE.</summary>
    Standby = 0x2,

    /// <summary>Only the commands of SPC-4 5.16.2.4.5 run; others are NOT READY, TARGET PORT IN UNAVAILABLE STATE.</summary>
    Unavailable = 0x3,
}

/// <summary>Which ALUA states still let a command through (SPC-4 5.16.2.4.4 / 5.16.2.4.5); a command table column.</summary>
internal enum AluaAccess
{
    /// <summary>Active states only (the default: medium access and everything not listed below).</summary>
    Active,

    /// <summary>Also in standby: MODE SELECT/SENSE, PERSISTENT RESERVE IN/OUT, REPORT SUPPORTED OPERATION CODES ...</summary>
    Standby,

    /// <summary>In every state: INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT / SET TARGET PORT GROUPS.</summary>
    Always,
}
