using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Target;

/// <summary>
/// Changes to what a target serves while it serves (the management API, a reloaded config): LUNs
/// added and removed, read-only, offline, the ACL and CHAP. Each touches only the sessions it concerns:
/// the others keep running and learn of it through the unit attention the standards give.
/// </summary>
public sealed partial class IscsiTargetServer
{
    /// <summary>How long a removed LUN waits for its commands in flight before its device closes.</summary>
    private static readonly TimeSpan RemovedLunDrain = TimeSpan.FromSeconds(30);

    // Guards the lists in Options that live changes edit, against the views reading them.
    private readonly Lock _optionsLock = new();

    /// <summary>
    /// Opens a LUN's device and serves it on a running target. Every nexus of the target gets REPORTED
    /// LUNS DATA HAS CHANGED (3Fh/0Eh) on its other LUNs (SPC-4 6.33: "the device server shall establish
    /// a unit attention condition ... for the initiator port associated with every I_T nexus").
    /// </summary>
    /// <exception cref="ArgumentException">No such target, the LUN is taken, or its device cannot be opened.</exception>
    public void AddLun(string targetName, LunOptions lun)
    {
        ArgumentNullException.ThrowIfNull(lun);
        var node = Node(targetName);
        if (node.Device.FindLogicalUnit(lun.Lun) is not null)
        {
            throw new ArgumentException($"{targetName} LUN {lun.Lun} is served already", nameof(lun));
        }

        IBlockDevice block;
        try
        {
            block = LunDevices.Open(node.Options, lun, OpenRbd);
        }
        catch (TargetStartException e)
        {
            throw new ArgumentException(e.Message, nameof(lun), e);
        }

        try
        {
            node.Device.AddLogicalUnit(lun.Lun, block, LunDevices.UnitOptions(lun, block, ClusterStateOf(block)));
            if (lun.Offline)
            {
                node.Device.SetLogicalUnitOffline(lun.Lun, offline: true);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException)
        {
            block.DisposeAsync().AsTask().GetAwaiter().GetResult();
            CloseClusterState(block);
            throw new ArgumentException($"{targetName} LUN {lun.Lun}: {e.Message}", nameof(lun), e);
        }

        node.AddCounters(lun.Lun);
        lock (_optionsLock)
        {
            node.Options.Luns.Add(lun);
            _devices.Add((targetName, lun.Lun, block));
        }

        TargetLog.LunAdded(_loggers.Changes, node.Name, lun.Lun, block.Geometry.ToString(), LunDevices.Describe(lun));
    }

    /// <summary>Why <see cref="RemoveLunAsync"/> would refuse, or null; changes nothing.</summary>
    public string? CheckLunRemoval(string targetName, ulong lun)
    {
        if (_context is null || !_context.Targets.TryGetValue(targetName, out var node) || node.Device.FindLogicalUnit(lun) is not { } unit)
        {
            return $"{targetName} LUN {lun} is not served here";
        }

        // A cluster fences with its reservation: removing the LUN under it would drop the fence unseen.
        return unit.IsPersistentlyReserved
            ? $"{targetName} LUN {lun}: an initiator holds a persistent reservation on it; it must release it (PERSISTENT RESERVE OUT RELEASE or CLEAR) before the LUN is removed"
            : null;
    }

    /// <summary>
    /// Stops serving a LUN: it leaves the LUN inventory at once (its next command gets LOGICAL UNIT NOT
    /// SUPPORTED, every nexus REPORTED LUNS DATA HAS CHANGED on the other LUNs), the commands already in
    /// its task set finish, then its device is flushed and closed. The image file stays. Sessions are kept.
    /// </summary>
    /// <exception cref="ArgumentException">No such LUN, or <see cref="CheckLunRemoval"/> refuses.</exception>
    public async Task RemoveLunAsync(string targetName, ulong lun, CancellationToken cancellationToken = default)
    {
        if (CheckLunRemoval(targetName, lun) is { } refusal)
        {
            throw new ArgumentException(refusal, nameof(lun));
        }

        var node = Node(targetName);
        var unit = node.Device.FindLogicalUnit(lun)!;
        node.Device.RemoveLogicalUnit(lun);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (unit.TasksInFlight > 0 && waited.Elapsed < RemovedLunDrain)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        if (unit.TasksInFlight > 0)
        {
            TargetLog.RemovedLunBusy(_loggers.Changes, targetName, lun, unit.TasksInFlight, (int)RemovedLunDrain.TotalSeconds);
        }

        IBlockDevice? device = null;
        lock (_optionsLock)
        {
            node.Options.Luns.RemoveAll(l => l.Lun == lun);
            var index = _devices.FindIndex(d => string.Equals(d.Target, targetName, StringComparison.OrdinalIgnoreCase) && d.Lun == lun);
            if (index >= 0)
            {
                device = _devices[index].Device;
                _devices.RemoveAt(index);
            }
        }

        if (device is not null)
        {
            await CloseDeviceAsync(targetName, lun, device).ConfigureAwait(false);
        }

        TargetLog.LunRemoved(_loggers.Changes, node.Name, lun);
    }

    /// <summary>Makes a LUN read-only or writable (see <see cref="ScsiTargetDevice.SetLogicalUnitReadOnly"/>).</summary>
    /// <exception cref="ArgumentException">No such LUN, or writable asked of a device opened read-only.</exception>
    public void SetLunReadOnly(string targetName, ulong lun, bool readOnly)
    {
        var node = Node(targetName);
        try
        {
            if (!node.Device.SetLogicalUnitReadOnly(lun, readOnly))
            {
                throw new ArgumentException($"{targetName} LUN {lun} is not served here", nameof(lun));
            }
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message, nameof(readOnly), e);
        }

        TargetLog.LunReadOnlySet(_loggers.Changes, node.Name, lun, readOnly);
    }

    /// <summary>Why <see cref="SetLunReadOnly"/> would refuse, or null; changes nothing.</summary>
    public string? CheckLunReadOnly(string targetName, ulong lun, bool readOnly)
    {
        if (_context is null || !_context.Targets.TryGetValue(targetName, out var node) || node.Device.FindLogicalUnit(lun) is not { } unit)
        {
            return $"{targetName} LUN {lun} is not served here";
        }

        return !readOnly && unit.DeviceIsReadOnly ? $"LUN {lun} of {targetName}: its image was opened read-only; making it writable needs a restart" : null;
    }

    /// <summary>Takes a LUN offline or online (see <see cref="ScsiTargetDevice.SetLogicalUnitOffline"/>).</summary>
    /// <exception cref="ArgumentException">No such LUN.</exception>
    public void SetLunOffline(string targetName, ulong lun, bool offline)
    {
        var node = Node(targetName);
        if (!node.Device.SetLogicalUnitOffline(lun, offline))
        {
            throw new ArgumentException($"{targetName} LUN {lun} is not served here", nameof(lun));
        }

        TargetLog.LunOfflineSet(_loggers.Changes, node.Name, lun, offline ? "offline" : "online");
    }

    /// <summary>
    /// A logical unit reset from management, as a LOGICAL UNIT RESET task management function would do
    /// it (SAM-5 7.7): every task on the LU, of every session, is aborted (TAS = 0: without a response,
    /// as for a reset from another initiator), SPC-2 reservations are released, and every nexus gets
    /// BUS DEVICE RESET FUNCTION OCCURRED (29h/03h). Persistent reservations stay (SPC-4 5.12.1).
    /// </summary>
    /// <exception cref="ArgumentException">No such LUN.</exception>
    public async Task ResetLunAsync(string targetName, ulong lun, CancellationToken cancellationToken = default)
    {
        var node = Node(targetName);
        if (node.Device.FindLogicalUnit(lun) is null)
        {
            throw new ArgumentException($"{targetName} LUN {lun} is not served here", nameof(lun));
        }

        var ended = new List<Task>();
        foreach (var session in _context!.Sessions.Snapshot())
        {
            if (ReferenceEquals(session.Target, node) && session.Connection is { } connection)
            {
                connection.AbortTasksFromOtherNexus(lun, ended);
            }
        }

        // The reset is reported once the aborted tasks are gone, as a TMF response would be (RFC 7143 11.5.1).
        await Task.WhenAll(ended).WaitAsync(RemovedLunDrain, cancellationToken).ConfigureAwait(false);
        _ = node.Device.ResetLogicalUnit(lun, from: null);
    }

    /// <summary>
    /// Replaces a target's ACL (empty: every initiator may log in). Sessions of initiators it no longer
    /// allows end at once (their connections close, as a logout from management does); the others are kept.
    /// </summary>
    /// <returns>The sessions ended.</returns>
    public IReadOnlyList<Observability.SessionView> SetAllowedInitiators(string targetName, IReadOnlyList<string> initiators)
    {
        ArgumentNullException.ThrowIfNull(initiators);
        var node = Node(targetName);
        node.SetAllowedInitiators(initiators);
        lock (_optionsLock)
        {
            node.Options.AllowedInitiators.Clear();
            node.Options.AllowedInitiators.AddRange(initiators);
        }

        TargetLog.AclSet(_loggers.Changes, node.Name, initiators.Count == 0 ? "every initiator" : string.Join(", ", initiators));
        var ended = new List<Observability.SessionView>();
        foreach (var session in _context!.Sessions.Snapshot())
        {
            if (ReferenceEquals(session.Target, node) && !node.Allows(session.InitiatorName) && EndSession(session.Tsih, $"{session.InitiatorName} was removed from the ACL of {node.Name}") is { } view)
            {
                ended.Add(view);
            }
        }

        return ended;
    }

    /// <summary>Replaces a target's CHAP credentials: logins from now on must use them; sessions already logged in are kept.</summary>
    public void SetChap(string targetName, ChapOptions? chap, ChapOptions? mutualChap)
    {
        var node = Node(targetName);
        node.SetChap(chap, mutualChap);
        lock (_optionsLock)
        {
            node.Options.Chap = chap;
            node.Options.MutualChap = mutualChap;
        }

        TargetLog.ChapSet(_loggers.Changes, node.Name);
    }

    private TargetNode Node(string targetName)
    {
        var context = _context ?? throw new InvalidOperationException("start the target first");
        return context.Targets.TryGetValue(targetName, out var node)
            ? node
            : throw new ArgumentException($"no target {targetName} is served here", nameof(targetName));
    }

    private async Task CloseDeviceAsync(string target, ulong lun, IBlockDevice device)
    {
        try
        {
            if ((device.Features & BlockDeviceFeatures.ReadOnly) == 0)
            {
                await device.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            TargetLog.DeviceFlushFailed(_loggers.Changes, target, lun, ex);
        }

        try
        {
            await device.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            TargetLog.DeviceCloseFailed(_loggers.Changes, target, lun, ex);
        }

        CloseClusterState(device);
    }
}
