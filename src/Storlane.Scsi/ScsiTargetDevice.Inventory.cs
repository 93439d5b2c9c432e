namespace Storlane.Scsi;

/// <summary>What changed about a logical unit while it serves (see <see cref="ScsiTargetDevice.LogicalUnitChanged"/>).</summary>
public enum LogicalUnitChange
{
    /// <summary>Added to the inventory (REPORTED LUNS DATA HAS CHANGED on the SCSI side).</summary>
    Added,

    /// <summary>Left the inventory.</summary>
    Removed,

    /// <summary>Its capacity changed: grown live or resized outside (CAPACITY DATA HAS CHANGED).</summary>
    Resized,

    /// <summary>Made read-only or writable (MODE PARAMETERS CHANGED: WP).</summary>
    WriteProtection,

    /// <summary>Taken offline or brought online (ASYMMETRIC ACCESS STATE CHANGED).</summary>
    Access,
}

/// <summary>
/// The inventory change notice another transport serving the same units listens to: the SCSI side
/// tells its initiators through unit attentions, NVMe/TCP tells its hosts through asynchronous events.
/// </summary>
public sealed partial class ScsiTargetDevice
{
    /// <summary>
    /// Raised after a unit was added, removed, resized, write-protected or taken offline (or the
    /// reverse), once the change is visible through <see cref="FindLogicalUnit"/>. Runs on the thread that
    /// made the change: a handler must not block or throw.
    /// </summary>
    public event Action<LogicalUnit, LogicalUnitChange>? LogicalUnitChanged;

    private void OnLogicalUnitChanged(LogicalUnit unit, LogicalUnitChange change) => LogicalUnitChanged?.Invoke(unit, change);
}
