using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// The SCSI target device behind one iSCSI target: its logical units by LUN, REPORT LUNS, the
/// answer for LUNs that do not exist, unit attentions per I_T nexus, and resets. Thread-safe:
/// commands from many sessions and connections run concurrently.
/// </summary>
public sealed partial class ScsiTargetDevice
{
    /// <param name="targetName">SCSI target name (the iSCSI target IQN), used in VPD 0x83 designators.</param>
    public ScsiTargetDevice(string targetName)
    {
        TargetName = targetName;
    }

    public string TargetName { get; }

    /// <summary>Adds a logical unit. LUNs are 0..16383 (flat/peripheral addressing).</summary>
    public LogicalUnit AddLogicalUnit(ulong lun, IBlockDevice device, LogicalUnitOptions? options = null)
        => throw new NotImplementedException();

    public LogicalUnit? FindLogicalUnit(ulong lun) => throw new NotImplementedException();

    public IReadOnlyList<LogicalUnit> LogicalUnits => throw new NotImplementedException();

    /// <summary>
    /// Runs one command to completion. Never throws for a command problem: bad CDBs, ranges and
    /// device errors come back as CHECK CONDITION with sense in <see cref="ScsiCommand.SenseBuffer"/>.
    /// Cancellation (ABORT TASK and friends) throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>LOGICAL UNIT RESET received on <paramref name="from"/>: unit attention for every other nexus.</summary>
    public void ResetLogicalUnit(ulong lun, ItNexus from) => throw new NotImplementedException();

    /// <summary>TARGET WARM/COLD RESET received on <paramref name="from"/>.</summary>
    public void ResetTarget(ItNexus from, bool cold) => throw new NotImplementedException();

    /// <summary>A nexus logged out or its session ended: forget its unit attentions.</summary>
    public void RemoveNexus(ItNexus nexus) => throw new NotImplementedException();
}
