namespace Storlane.Iscsi.Pdu;

/// <summary>Byte 1 flags of SCSI Response (11.4.1) and Data-In (11.7) PDUs.</summary>
[Flags]
public enum ScsiResponseFlags : byte
{
    None = 0,

    /// <summary>Data-In: S bit, the PDU carries the status.</summary>
    Status = 0x01,

    /// <summary>U: residual underflow, ResidualCount = EDTL - bytes transferred.</summary>
    ResidualUnderflow = 0x02,

    /// <summary>O: residual overflow, ResidualCount = bytes not transferred because EDTL was too small.</summary>
    ResidualOverflow = 0x04,

    /// <summary>Data-In: A bit, acknowledge requested (ERL &gt; 0 only).</summary>
    Acknowledge = 0x40,

    Final = 0x80,
}
