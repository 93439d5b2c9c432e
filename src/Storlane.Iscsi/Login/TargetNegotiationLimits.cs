namespace Storlane.Iscsi.Login;

/// <summary>
/// What the target is willing to accept: the values it answers with (and offers when the RFC default
/// does not suit it). Results still follow each key's result function, so a cap here is the target's
/// side of a Minimum and a floor the target's side of a Maximum.
/// </summary>
public sealed class TargetNegotiationLimits
{
    /// <summary>Largest value RFC 7143 13.12-13.14 allow for a length: 2**24 - 1.</summary>
    public const int MaxLengthValue = 16777215;

    /// <summary>MaxRecvDataSegmentLength the target declares (512 to 2**24 - 1).</summary>
    public int MaxRecvDataSegmentLength { get; init; } = 262144;

    /// <summary>Cap for MaxBurstLength: 16 MiB - 1, the largest value 13.13 allows.</summary>
    public int MaxBurstLength { get; init; } = MaxLengthValue;

    /// <summary>
    /// Cap for FirstBurstLength. The effective cap is the smaller of this and the negotiated
    /// MaxBurstLength, because "FirstBurstLength MUST NOT exceed MaxBurstLength" (13.14).
    /// </summary>
    public int FirstBurstLength { get; init; } = MaxLengthValue;

    /// <summary>Cap for MaxOutstandingR2T (1 to 65535).</summary>
    public int MaxOutstandingR2T { get; init; } = 16;

    public bool AllowHeaderDigest { get; init; } = true;

    public bool AllowDataDigest { get; init; } = true;

    /// <summary>Cap for MaxConnections (1 to 65535).</summary>
    public int MaxConnections { get; init; } = 1;

    /// <summary>Cap for ErrorRecoveryLevel (0 to 2).</summary>
    public int ErrorRecoveryLevel { get; init; }

    /// <summary>The target's DefaultTime2Wait (0 to 3600). The result is the maximum of both sides.</summary>
    public int DefaultTime2Wait { get; init; } = OperationalParameters.DefaultDefaultTime2Wait;

    /// <summary>The target's DefaultTime2Retain (0 to 3600). The result is the minimum of both sides.</summary>
    public int DefaultTime2Retain { get; init; } = OperationalParameters.DefaultDefaultTime2Retain;

    /// <summary>When false the target answers (or offers) ImmediateData=No.</summary>
    public bool AllowImmediateData { get; init; } = true;

    /// <summary>When true the target answers InitialR2T=Yes whatever the initiator offers.</summary>
    public bool RequireInitialR2T { get; init; }

    /// <summary>Highest iSCSIProtocolLevel the target implements (RFC 7144: 1 = RFC 7143, 2 = RFC 7144).</summary>
    public int IscsiProtocolLevel { get; init; } = 1;

    /// <summary>TargetAlias declared to normal sessions (13.6); null declares none.</summary>
    public string? TargetAlias { get; init; }

    /// <summary>Tag of the portal group serving this connection, declared in the first login response (13.9).</summary>
    public ushort TargetPortalGroupTag { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a value outside its RFC 7143 range.</summary>
    public void Validate()
    {
        CheckRange(MaxRecvDataSegmentLength, 512, MaxLengthValue, nameof(MaxRecvDataSegmentLength));
        CheckRange(MaxBurstLength, 512, MaxLengthValue, nameof(MaxBurstLength));
        CheckRange(FirstBurstLength, 512, MaxLengthValue, nameof(FirstBurstLength));
        CheckRange(MaxOutstandingR2T, 1, 65535, nameof(MaxOutstandingR2T));
        CheckRange(MaxConnections, 1, 65535, nameof(MaxConnections));
        CheckRange(ErrorRecoveryLevel, 0, 2, nameof(ErrorRecoveryLevel));
        CheckRange(DefaultTime2Wait, 0, 3600, nameof(DefaultTime2Wait));
        CheckRange(DefaultTime2Retain, 0, 3600, nameof(DefaultTime2Retain));
        CheckRange(IscsiProtocolLevel, 1, 31, nameof(IscsiProtocolLevel));
    }

    private static void CheckRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}");
        }
    }
}
