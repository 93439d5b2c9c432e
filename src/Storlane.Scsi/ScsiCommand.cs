namespace Storlane.Scsi;

/// <summary>
/// One SCSI command as the transport hands it to the SCSI layer. The transport owns and reuses
/// instances (no allocation per command): it fills the fields, calls
/// <see cref="ScsiTargetDevice.ExecuteAsync"/>, reads the result and the sense bytes, then resets it.
/// </summary>
public sealed class ScsiCommand
{
    /// <summary>Fixed-format sense is 18 bytes; descriptor sense fits too.</summary>
    public const int SenseBufferSize = 96;

    public ItNexus Nexus { get; set; } = null!;

    /// <summary>The LUN as a flat number (SAM-5 single level, peripheral or flat addressing decoded).</summary>
    public ulong Lun { get; set; }

    /// <summary>The whole CDB: the 16 header bytes, or more when an extended-CDB AHS was sent.</summary>
    public ReadOnlyMemory<byte> Cdb { get; set; }

    public ScsiTaskAttribute Attribute { get; set; }

    /// <summary>
    /// Where data-in goes: sized to the initiator's expected data transfer length (may be empty).
    /// The logical unit writes from offset 0 and never past the end.
    /// </summary>
    public Memory<byte> DataIn { get; set; }

    /// <summary>All data-out the initiator sent (up to its expected data transfer length).</summary>
    public ReadOnlyMemory<byte> DataOut { get; set; }

    /// <summary>Sense data of a CHECK CONDITION; <see cref="ScsiResult.SenseLength"/> says how much is valid.</summary>
    public byte[] SenseBuffer { get; } = new byte[SenseBufferSize];

    public void Reset()
    {
        Nexus = null!;
        Lun = 0;
        Cdb = default;
        Attribute = ScsiTaskAttribute.Simple;
        DataIn = default;
        DataOut = default;
    }
}
