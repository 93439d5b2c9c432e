using Storlane.Initiator.Scsi;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Session;

/// <summary>How a SCSI command ended at the target (RFC 7143 11.4): status, sense and residuals.</summary>
public readonly record struct ScsiCommandResult(
    ScsiStatus Status,
    byte ServiceResponse,
    SenseInfo? Sense,
    int ResidualCount,
    bool Underflow,
    bool Overflow,
    TimeSpan Latency)
{
    public bool IsGood => ServiceResponse == 0 && Status == ScsiStatus.Good;

    /// <summary>True for a CHECK CONDITION with sense key UNIT ATTENTION.</summary>
    public bool IsUnitAttention => Status == ScsiStatus.CheckCondition && Sense?.Key == SenseKey.UnitAttention;

    /// <summary>Throws <see cref="ScsiCommandException"/> unless the command completed with GOOD status.</summary>
    public void ThrowIfFailed()
    {
        if (!IsGood)
        {
            throw new ScsiCommandException(Status, Sense, ServiceResponse);
        }
    }
}
