namespace Storlane.Protocol.Scsi;

/// <summary>Operation codes known by name on both sides of the wire (SPC-4 annex D, SBC-3 table 12).</summary>
public enum ScsiOpcode : byte
{
    TestUnitReady = 0x00,
    RequestSense = 0x03,
    Read6 = 0x08,
    Write6 = 0x0A,
    Inquiry = 0x12,
    ModeSelect6 = 0x15,
    ModeSense6 = 0x1A,
    StartStopUnit = 0x1B,
    PreventAllowMediumRemoval = 0x1E,
    ReadCapacity10 = 0x25,
    Read10 = 0x28,
    Write10 = 0x2A,
    Verify10 = 0x2F,
    SynchronizeCache10 = 0x35,
    WriteSame10 = 0x41,
    Unmap = 0x42,
    Sanitize = 0x48,
    ModeSelect10 = 0x55,
    ModeSense10 = 0x5A,
    Read16 = 0x88,
    Write16 = 0x8A,
    Verify16 = 0x8F,
    SynchronizeCache16 = 0x91,
    WriteSame16 = 0x93,
    ServiceActionIn16 = 0x9E,
    ReportLuns = 0xA0,
    MaintenanceIn = 0xA3,
    Read12 = 0xA8,
    Write12 = 0xAA,
    Verify12 = 0xAF,
}

/// <summary>Service actions of the opcodes above that have them.</summary>
public static class ScsiServiceAction
{
    /// <summary>SERVICE ACTION IN(16) 9Eh / 10h (SBC-3 5.16).</summary>
    public const byte ReadCapacity16 = 0x10;

    /// <summary>SERVICE ACTION IN(16) 9Eh / 12h (SBC-3 5.20).</summary>
    public const byte GetLbaStatus = 0x12;

    /// <summary>MAINTENANCE IN A3h / 0Ah (SPC-4 6.37).</summary>
    public const byte ReportTargetPortGroups = 0x0A;

    /// <summary>MAINTENANCE IN A3h / 0Ch (SPC-4 6.35).</summary>
    public const byte ReportSupportedOperationCodes = 0x0C;

    /// <summary>MAINTENANCE OUT A4h / 0Ah (SPC-4 6.43).</summary>
    public const byte SetTargetPortGroups = 0x0A;
}
