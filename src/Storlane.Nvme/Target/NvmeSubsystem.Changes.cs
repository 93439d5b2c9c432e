using Storlane.Scsi;

namespace Storlane.Nvme.Target;

/// <summary>
/// Namespaces follow the LUNs of the target device live: a LUN added or removed (SIGHUP reload or the
/// management API) is a namespace attached or detached, a LUN grown changes NSZE/NCAP, a LUN made
/// read-only changes NSATTR (namespace write-protected; writes then end Namespace is Write Protected).
/// Each is a Namespace Attribute Changed notice to every controller (base 2.0, 5.2, figure 152: "the
/// Identify Namespace data structure for one or more namespaces, as well as the Namespace List ...
/// have changed"), with the NSID in that controller's Changed Namespace List, so hosts rescan.
/// </summary>
internal sealed partial class NvmeSubsystem
{
    /// <summary>Starts following the device's inventory; <see cref="StopFollowing"/> ends it.</summary>
    public void FollowDevice()
    {
        if (Device is not null)
        {
            Device.LogicalUnitChanged += OnLogicalUnitChanged;
        }
    }

    public void StopFollowing()
    {
        if (Device is not null)
        {
            Device.LogicalUnitChanged -= OnLogicalUnitChanged;
        }
    }

    private void OnLogicalUnitChanged(LogicalUnit unit, LogicalUnitChange change)
    {
        // Offline is not a namespace attribute: the namespace stays attached and its ANA group turns
        // inaccessible (NvmeController.AnaStateOf), which the reload reports as an ANA change notice,
        // as SCSI reports it as an ALUA state (unavailable). LUNs past MNAN are not namespaces.
        if (change == LogicalUnitChange.Access || unit.Lun >= MaxNamespaces)
        {
            return;
        }

        var nsid = (uint)unit.Lun + 1;
        foreach (var controller in Controllers())
        {
            controller.NamespaceChanged(nsid);
        }
    }
}
