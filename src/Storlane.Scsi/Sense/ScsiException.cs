using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// A command ends in CHECK CONDITION with this sense. Thrown through the <see cref="ScsiErrors"/>
/// helpers and caught once per command by <see cref="ScsiTargetDevice.ExecuteAsync"/>, which turns
/// it into sense data; it never escapes to the transport.
/// </summary>
public sealed class ScsiException : Exception
{
    public ScsiException(SenseKey senseKey, byte asc, byte ascq)
        : this(senseKey, AdditionalSenseExtensions.FromCodes(asc, ascq))
    {
    }

    public ScsiException(SenseKey senseKey, AdditionalSense additionalSense, FieldPointer? fieldPointer = null, long? information = null, ushort? progress = null)
    {
        SenseKey = senseKey;
        AdditionalSense = additionalSense;
        FieldPointer = fieldPointer;
        Information = information;
        Progress = progress;
    }

    public SenseKey SenseKey { get; }

    public AdditionalSense AdditionalSense { get; }

    public byte Asc => AdditionalSense.Asc();

    public byte Ascq => AdditionalSense.Ascq();

    /// <summary>Sense-key specific field pointer (SKSV = 1) for ILLEGAL REQUEST, when known.</summary>
    public FieldPointer? FieldPointer { get; }

    /// <summary>The INFORMATION field (VALID = 1), e.g. the miscompare offset of VERIFY.</summary>
    public long? Information { get; }

    /// <summary>Sense-key specific PROGRESS INDICATION (SKSV = 1), out of 65536, for NOT READY during an operation.</summary>
    public ushort? Progress { get; }

    // Built on demand: throwing must not format strings.
    public override string Message => $"CHECK CONDITION {SenseKey} {AdditionalSense} (ASC {Asc:X2}h ASCQ {Ascq:X2}h)";

    internal SenseData ToSenseData() => new(SenseKey, AdditionalSense, FieldPointer, Information, Progress);
}
