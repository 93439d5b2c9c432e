using Storlane.Protocol.Scsi;

namespace Storlane.Scsi;

/// <summary>
/// Changes an administrator makes to a unit while it serves (the management API): read-only, offline
/// and a logical unit reset with no I_T nexus of its own. Each tells the initiators through the unit
/// attention the standards give for it.
/// </summary>
public sealed partial class ScsiTargetDevice
{
    /// <summary>
    /// Makes a unit read-only, or writable again. Writes then end DATA PROTECT, WRITE PROTECTED and MODE
    /// SENSE reports WP = 1 (SBC-3 6.3.1); every nexus gets MODE PARAMETERS CHANGED (2Ah/01h, SPC-4 5.14:
    /// the mode parameter header changed by someone other than that nexus), so it re-reads WP.
    /// </summary>
    /// <returns>False when there is no such LUN.</returns>
    /// <exception cref="InvalidOperationException">Writable asked of a unit whose device was opened read-only.</exception>
    public bool SetLogicalUnitReadOnly(ulong lun, bool readOnly)
    {
        if (FindLogicalUnit(lun) is not { } unit)
        {
            return false;
        }

        if (!readOnly && unit.DeviceIsReadOnly)
        {
            throw new InvalidOperationException($"{TargetName} LUN {lun}: its device was opened read-only; making it writable needs a restart");
        }

        if (unit.IsReadOnly != readOnly)
        {
            unit.SetReadOnly(readOnly);
            EstablishForAllNexuses(AdditionalSense.ModeParametersChanged, unit);
            OnLogicalUnitChanged(unit, LogicalUnitChange.WriteProtection);
        }

        return true;
    }

    /// <summary>
    /// Takes a unit offline or brings it back: while offline every target port group reports the
    /// unavailable state for it in REPORT TARGET PORT GROUPS, and commands other than those the
    /// unavailable state allows end NOT READY, LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE
    /// STATE (SPC-4 5.16.2.4.5). Either way every nexus gets ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h)
    /// on this unit (SPC-4 5.16.2.6), so a multipath initiator re-reads the states.
    /// </summary>
    /// <returns>False when there is no such LUN.</returns>
    public bool SetLogicalUnitOffline(ulong lun, bool offline)
    {
        if (FindLogicalUnit(lun) is not { } unit)
        {
            return false;
        }

        if (unit.IsOffline != offline)
        {
            unit.SetOffline(offline);
            EstablishForAllNexuses(AdditionalSense.AsymmetricAccessStateChanged, unit);
            OnLogicalUnitChanged(unit, LogicalUnitChange.Access);
        }

        return true;
    }

    /// <summary>Marks a unit offline before any nexus exists (a start from a config that says so): no unit attention is due.</summary>
    public void StartOffline(ulong lun) => FindLogicalUnit(lun)?.SetOffline(true);

    /// <summary>The asymmetric access state of a group as <paramref name="unit"/> reports it: unavailable while the unit is offline.</summary>
    internal TargetPortGroupState StateFor(LogicalUnit? unit, ushort group) =>
        unit is { IsOffline: true } ? TargetPortGroupState.Unavailable : _targetPorts.State(group);
}
