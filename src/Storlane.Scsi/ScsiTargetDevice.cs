using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Protocol.Scsi;
using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// The SCSI target device behind one iSCSI target: its logical units by LUN, REPORT LUNS, the
/// answer for LUNs that do not exist, unit attentions per I_T nexus, and resets. Thread-safe:
/// commands from many sessions and connections run concurrently.
/// </summary>
public sealed partial class ScsiTargetDevice
{
    /// <summary>SAM-5 4.6.7 flat space addressing reaches LUN 16383.</summary>
    public const ulong MaxLun = 16383;

    private readonly Lock _lunsLock = new();
    private readonly ILogger _logger;

    // Copy-on-write: readers take the current table without locking.
    private volatile LunTable _luns = LunTable.Empty;

    /// <param name="targetName">SCSI target name (the iSCSI target IQN), used in VPD 0x83 designators.</param>
    public ScsiTargetDevice(string targetName)
        : this(targetName, null)
    {
    }

    /// <param name="targetName">SCSI target name (the iSCSI target IQN), used in VPD 0x83 designators.</param>
    /// <param name="logger">Where device failures and resets are logged.</param>
    public ScsiTargetDevice(string targetName, ILogger? logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetName);
        TargetName = targetName;
        _logger = logger ?? NullLogger.Instance;
    }

    public string TargetName { get; }

    /// <summary>
    /// This gateway's name among the gateways that share logical units (host name by default). An
    /// SPC-2 reservation is held by a nexus of one gateway process, so the state records
    /// <see cref="GatewayIdentity"/>: the name and this process's incarnation.
    /// </summary>
    public string GatewayName
    {
        get => _gatewayName;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            if (value.Contains(' ', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal))
            {
                throw new ArgumentException("a gateway name holds no spaces and no '#'", nameof(value));
            }

            _gatewayName = value;
        }
    }

    /// <summary>Name and incarnation: a new target device (a restarted gateway) is a new incarnation.</summary>
    internal string GatewayIdentity => _gatewayName + "#" + _incarnation;

    private readonly string _incarnation = Guid.NewGuid().ToString("N")[..12];

    private readonly string _gatewayName = DefaultGatewayName();

    private static string DefaultGatewayName()
    {
        var name = Environment.MachineName.Replace(' ', '-').Replace('#', '-');
        return name.Length == 0 ? "gateway" : name;
    }

    internal ILogger Logger => _logger;

    /// <summary>
    /// Set by the transport: aborts, without responses, the tasks on one LU of every I_T nexus the
    /// predicate selects (PREEMPT AND ABORT, SPC-4 5.12.11.4.4: "all tasks ... from the I_T nexuses
    /// ... being preempted ... shall be aborted"). Null when nothing can abort tasks (unit tests).
    /// </summary>
    public Action<ulong, Func<ItNexus, bool>>? AbortTasks { get; set; }

    /// <summary>
    /// Set by the transport: terminates every session of this target. RFC 7143 11.5.1: after a TARGET
    /// COLD RESET "the target ... MUST ... terminate all of its TCP connections to all initiators"; the
    /// gateways that export a shared LU under one target name are one target, so a cold reset learned
    /// from another gateway ends this gateway's sessions too, as the receiving gateway ends its own.
    /// Null when there are no sessions to end (unit tests).
    /// </summary>
    public Action? EndAllSessions { get; set; }

    /// <summary>Adds a logical unit. LUNs are 0..16383 (flat/peripheral addressing).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The LUN is above 16383.</exception>
    /// <exception cref="InvalidOperationException">The LUN is taken.</exception>
    /// <exception cref="ArgumentException">An identification string breaks the SPC-4 ASCII rules.</exception>
    public LogicalUnit AddLogicalUnit(ulong lun, IBlockDevice device, LogicalUnitOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lun, MaxLun);
        var unit = new LogicalUnit(this, lun, device, (options ?? new LogicalUnitOptions()).Clone());

        // Before the unit is reachable: its first command already finds the sanitize running.
        CommandHandlers.ResumeInterruptedSanitize(this, unit);
        lock (_lunsLock)
        {
            if (_luns.Find(lun) is not null)
            {
                throw new InvalidOperationException($"LUN {lun} already exists on {TargetName}");
            }

            _luns = _luns.With(unit);
        }

        if (device is IExternallyResizedDevice resized)
        {
            unit.GeometryHandler = (_, _) => OnCapacityChangedOutside(unit);
            resized.GeometryChanged += unit.GeometryHandler;
        }

        // SPC-4 6.33 / SAM-5 5.14: the inventory changed; tell every nexus through the other units.
        EstablishForAllNexuses(AdditionalSense.ReportedLunsDataHasChanged, except: null, skipUnit: unit);
        OnLogicalUnitChanged(unit, LogicalUnitChange.Added);
        return unit;
    }

    /// <summary>Removes a logical unit (live reconfiguration); commands already running finish on it.</summary>
    public bool RemoveLogicalUnit(ulong lun)
    {
        LogicalUnit? removed;
        lock (_lunsLock)
        {
            if (_luns.Find(lun) is null)
            {
                return false;
            }

            removed = _luns.Find(lun);
            _luns = _luns.Without(lun);
        }

        if (removed is { Device: IExternallyResizedDevice resized, GeometryHandler: { } handler })
        {
            resized.GeometryChanged -= handler;
        }

        EstablishForAllNexuses(AdditionalSense.ReportedLunsDataHasChanged, except: null, skipUnit: null);
        OnLogicalUnitChanged(removed!, LogicalUnitChange.Removed);
        return true;
    }

    /// <summary>
    /// Grows a logical unit while it serves. The device grows first, then the capacity the unit
    /// reports; every I_T nexus then gets the unit attention CAPACITY DATA HAS CHANGED (SBC-3 4.4:
    /// "the device server shall establish a unit attention condition" when the capacity changes),
    /// so initiators re-read the capacity before they rely on it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such LUN, or its backend cannot grow (memory LUNs).</exception>
    public async ValueTask GrowLogicalUnitAsync(ulong lun, long newBlockCount, CancellationToken cancellationToken = default)
    {
        var unit = _luns.Find(lun) ?? throw new InvalidOperationException($"{TargetName} has no LUN {lun}");
        if (unit.Device is not IResizableBlockDevice device)
        {
            throw new InvalidOperationException($"{TargetName} LUN {lun}: its backend cannot grow while it serves");
        }

        await device.GrowAsync(newBlockCount, cancellationToken).ConfigureAwait(false);
        unit.SetBlockCount(device.Geometry.BlockCount);
        EstablishForAllNexuses(AdditionalSense.CapacityDataHasChanged, unit);
        OnLogicalUnitChanged(unit, LogicalUnitChange.Resized);
    }

    /// <summary>
    /// The device's size changed from outside (an RBD image resized by `rbd resize` or another
    /// gateway): the unit reports the new capacity and every I_T nexus gets CAPACITY DATA HAS
    /// CHANGED (SBC-3 4.4), as for a grow through <see cref="GrowLogicalUnitAsync"/>.
    /// </summary>
    private void OnCapacityChangedOutside(LogicalUnit unit)
    {
        if (_luns.Find(unit.Lun) != unit || unit.Device.Geometry.BlockCount == unit.BlockCount)
        {
            return;
        }

        unit.SetBlockCount(unit.Device.Geometry.BlockCount);
        EstablishForAllNexuses(AdditionalSense.CapacityDataHasChanged, unit);
        OnLogicalUnitChanged(unit, LogicalUnitChange.Resized);
    }

    public LogicalUnit? FindLogicalUnit(ulong lun) => _luns.Find(lun);

    /// <summary>The logical units in ascending LUN order (a snapshot).</summary>
    public IReadOnlyList<LogicalUnit> LogicalUnits => _luns.Sorted;

    /// <summary>
    /// Runs one command to completion. Never throws for a command problem: bad CDBs, ranges and
    /// device errors come back as CHECK CONDITION with sense in <see cref="ScsiCommand.SenseBuffer"/>.
    /// Cancellation (ABORT TASK and friends) throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        CommandDescriptor? descriptor = null;
        try
        {
            var pending = Dispatch(command, cancellationToken, out descriptor);
            return pending.IsCompletedSuccessfully ? pending : AwaitCommandAsync(pending, command, descriptor, cancellationToken);
        }
        catch (ScsiException e)
        {
            return new ValueTask<ScsiResult>(CheckCondition(command, e.ToSenseData()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ValueTask<ScsiResult>(DeviceFailure(command, descriptor, e));
        }
    }

    /// <summary>
    /// Awaits a command that went asynchronous. A task aborted while its I/O was in flight (the device
    /// finished the I/O anyway) ends as aborted, not with a status: the transport has answered, or will
    /// answer, the ABORT TASK with FUNCTION COMPLETE, and an aborted task sends no response (SAM-5
    /// 7.3; whether the medium was changed is unspecified for an aborted write).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ScsiResult> AwaitCommandAsync(ValueTask<ScsiResult> pending, ScsiCommand command, CommandDescriptor descriptor, CancellationToken cancellationToken)
    {
        try
        {
            var result = await pending.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return result;
        }
        catch (ScsiException e)
        {
            return CheckCondition(command, e.ToSenseData());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DeviceFailure(command, descriptor, e);
        }
    }

    /// <summary>
    /// The order of checks: the LUN, then a pending unit attention (SAM-5 5.14 reports it for every
    /// command except INQUIRY, REPORT LUNS and REQUEST SENSE, whatever the opcode), then the opcode,
    /// then the CDB fields, then reservations held through other I_T nexuses, then the command itself.
    /// </summary>
    private ValueTask<ScsiResult> Dispatch(ScsiCommand command, CancellationToken cancellationToken, out CommandDescriptor descriptor)
    {
        descriptor = null!;
        var cdb = command.Cdb.Span;
        if (cdb.IsEmpty)
        {
            ScsiErrors.InvalidFieldInCdb(0);
        }

        var nexus = command.Nexus;
        NoteNexus(nexus);
        var opcode = cdb[0];
        var unit = _luns.Find(command.Lun);
        if (unit is not null && !IsUnitAttentionExempt(opcode) && unit.Attentions.TryTake(nexus.Id, out var attention))
        {
            return new ValueTask<ScsiResult>(CheckCondition(command, new SenseData(SenseKey.UnitAttention, attention)));
        }

        if (unit is null && !IsAnsweredWithoutLogicalUnit(opcode))
        {
            // SPC-4 4.6.2 (incorrect logical unit selection): LOGICAL UNIT NOT SUPPORTED.
            ScsiErrors.LogicalUnitNotSupported();
        }

        descriptor = CommandTable.Resolve(cdb);
        if (unit is not null && !descriptor.IsSupportedBy(unit))
        {
            // SPC-4 4.5.2: a service action this unit lacks, of an operation code it has, is a bad
            // field in the CDB (the SERVICE ACTION field); a whole command it lacks is an unsupported code.
            if (CommandTable.HasServiceActions(opcode))
            {
                ScsiErrors.InvalidFieldInCdb(1, 4);
            }

            ScsiErrors.InvalidCommandOperationCode();
        }

        descriptor.CheckCdb(cdb);
        if (unit is null)
        {
            return descriptor.Handler(new CommandContext(this, unit, command, cancellationToken));
        }

        if ((_targetPorts.AnyInaccessible || unit.IsOffline) && descriptor.Alua != AluaAccess.Always)
        {
            CheckTargetPortGroupAccess(nexus, descriptor, unit);
        }

        if (unit.SanitizeInProgress && !IsUnitAttentionExempt(opcode))
        {
            // SBC-3 4.11.1: only INQUIRY, REPORT LUNS and REQUEST SENSE run during a sanitize operation.
            ScsiErrors.SanitizeInProgress(unit.SanitizeProgress);
        }

        if (unit.SanitizeFailure != SanitizeFailure.None && !IsUnitAttentionExempt(opcode) && opcode != (byte)ScsiOpcode.Sanitize)
        {
            // SBC-3 4.11 / 5.19: after a failed sanitize operation the medium is not served until a
            // sanitize completes without error (or, AUSE = 1, EXIT FAILURE MODE).
            ScsiErrors.WriteErrorDuringSanitize();
        }

        if (descriptor.NeedsMedium && unit.MediumRemoved)
        {
            // SPC-4 4.5.6 / SBC-3: a removable unit with its medium unloaded cannot access it.
            ScsiErrors.MediumNotPresent();
        }

        if (command.Attribute == ScsiTaskAttribute.Aca)
        {
            // SAM-5 8.6 / 5.9: NormACA = 0 (no ACA condition is ever established), so a task with the
            // ACA attribute "shall be terminated with CHECK CONDITION status, with the sense key set to
            // ILLEGAL REQUEST, and the additional sense code set to INVALID MESSAGE ERROR".
            return new ValueTask<ScsiResult>(CheckCondition(command, new SenseData(SenseKey.IllegalRequest, AdditionalSense.InvalidMessageError)));
        }

        if (!unit.Reservations.IsServable && descriptor.Alua != AluaAccess.Always)
        {
            unit.Reservations.CheckServable();
        }

        if (unit.Reservations.Conflicts(nexus, descriptor.Access))
        {
            // SPC-4 5.12 / SBC-3 4.17: the command is not performed.
            return new ValueTask<ScsiResult>(ScsiResult.ReservationConflict);
        }

        return RunInTaskSet(unit, descriptor, new CommandContext(this, unit, command, cancellationToken));
    }

    /// <summary>
    /// Enters the unit's task set (synchronously, so arrival order is call order), runs the handler
    /// once the task is enabled, and leaves the set when the handler's work completes, however it ends.
    /// </summary>
    private static ValueTask<ScsiResult> RunInTaskSet(LogicalUnit unit, CommandDescriptor descriptor, CommandContext context)
    {
        var attribute = context.Command.Attribute;
        var entered = unit.Tasks.EnterAsync(attribute, context.CancellationToken);
        if (!entered.IsCompletedSuccessfully)
        {
            return RunWhenEnabledAsync(unit, descriptor, context, entered);
        }

        ValueTask<ScsiResult> pending;
        try
        {
            pending = descriptor.Handler(context);
        }
        catch
        {
            unit.Tasks.Exit(attribute);
            throw;
        }

        if (pending.IsCompleted)
        {
            unit.Tasks.Exit(attribute);
            return pending;
        }

        return ExitWhenDoneAsync(unit, attribute, pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ScsiResult> RunWhenEnabledAsync(LogicalUnit unit, CommandDescriptor descriptor, CommandContext context, ValueTask entered)
    {
        var attribute = context.Command.Attribute;
        await entered.ConfigureAwait(false);
        try
        {
            return await descriptor.Handler(context).ConfigureAwait(false);
        }
        finally
        {
            unit.Tasks.Exit(attribute);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ScsiResult> ExitWhenDoneAsync(LogicalUnit unit, ScsiTaskAttribute attribute, ValueTask<ScsiResult> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            unit.Tasks.Exit(attribute);
        }
    }

    /// <summary>
    /// SPC-4 5.16.2.4.4: through a target port in the standby state only the listed commands run,
    /// others end "with CHECK CONDITION status, with the sense key set to NOT READY, and the additional
    /// sense code set to LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE"; 5.16.2.4.5 likewise
    /// for the unavailable state (TARGET PORT IN UNAVAILABLE STATE) with a shorter list. The lists are
    /// the command table's <see cref="CommandDescriptor.Alua"/> column.
    /// </summary>
    private void CheckTargetPortGroupAccess(ItNexus nexus, CommandDescriptor descriptor, LogicalUnit unit)
    {
        var state = StateFor(unit, nexus.TargetPortGroup);
        if (state == TargetPortGroupState.Standby && descriptor.Alua == AluaAccess.Active)
        {
            throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleTargetPortInStandbyState);
        }

        if (state == TargetPortGroupState.Unavailable)
        {
            throw new ScsiException(SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleTargetPortInUnavailableState);
        }
    }

    /// <summary>SAM-5 5.14: INQUIRY, REPORT LUNS and REQUEST SENSE neither report nor (except REQUEST SENSE) clear a unit attention.</summary>
    private static bool IsUnitAttentionExempt(byte opcode) =>
        opcode is (byte)ScsiOpcode.Inquiry or (byte)ScsiOpcode.ReportLuns or (byte)ScsiOpcode.RequestSense;

    private static bool IsAnsweredWithoutLogicalUnit(byte opcode) =>
        opcode is (byte)ScsiOpcode.Inquiry or (byte)ScsiOpcode.ReportLuns or (byte)ScsiOpcode.RequestSense;

    /// <summary>Writes fixed-format sense (D_SENSE = 0 in the control mode page) and returns CHECK CONDITION.</summary>
    internal static ScsiResult CheckCondition(ScsiCommand command, in SenseData sense)
    {
        var length = sense.WriteFixed(command.SenseBuffer);
        return new ScsiResult(ScsiStatus.CheckCondition, 0, 0, length);
    }

    private ScsiResult DeviceFailure(ScsiCommand command, CommandDescriptor? descriptor, Exception exception)
    {
        var kind = descriptor?.DeviceErrors ?? DeviceErrorKind.Other;
        var sense = exception is IOException
            ? kind switch
            {
                DeviceErrorKind.Read => new SenseData(SenseKey.MediumError, AdditionalSense.UnrecoveredReadError),
                DeviceErrorKind.Write => new SenseData(SenseKey.MediumError, AdditionalSense.WriteError),
                _ => new SenseData(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure),
            }
            : new SenseData(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure);
        ScsiLog.CommandFailed(_logger, TargetName, command.Lun, descriptor?.Name ?? "?", exception);
        return CheckCondition(command, sense);
    }
}
