using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Initiator;

/// <summary>
/// The operational values an initiator offers at login (RFC 7143 13). The defaults favour
/// throughput: immediate and unsolicited data on, a 256 KiB receive segment, one connection, ERL 0.
/// </summary>
public sealed class InitiatorOffer
{
    public DigestPreference HeaderDigest { get; init; }

    public DigestPreference DataDigest { get; init; }

    /// <summary>Our MaxRecvDataSegmentLength declaration (512 to 2**24 - 1).</summary>
    public int MaxRecvDataSegmentLength { get; init; } = 262144;

    public int MaxBurstLength { get; init; } = 1 << 20;

    public int FirstBurstLength { get; init; } = OperationalParameters.DefaultFirstBurstLength;

    public bool InitialR2T { get; init; }

    public bool ImmediateData { get; init; } = true;

    public int MaxOutstandingR2T { get; init; } = 4;

    public int DefaultTime2Wait { get; init; } = OperationalParameters.DefaultDefaultTime2Wait;

    public int DefaultTime2Retain { get; init; } = OperationalParameters.DefaultDefaultTime2Retain;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a value outside its RFC 7143 range.</summary>
    public void Validate()
    {
        Check(MaxRecvDataSegmentLength, 512, TargetNegotiationLimits.MaxLengthValue, nameof(MaxRecvDataSegmentLength));
        Check(MaxBurstLength, 512, TargetNegotiationLimits.MaxLengthValue, nameof(MaxBurstLength));
        Check(FirstBurstLength, 512, MaxBurstLength, nameof(FirstBurstLength));
        Check(MaxOutstandingR2T, 1, 65535, nameof(MaxOutstandingR2T));
        Check(DefaultTime2Wait, 0, 3600, nameof(DefaultTime2Wait));
        Check(DefaultTime2Retain, 0, 3600, nameof(DefaultTime2Retain));
    }

    private static void Check(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}");
        }
    }
}
