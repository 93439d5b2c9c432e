using System.Diagnostics;
using System.Runtime.CompilerServices;
using Storlane.Initiator.Port;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Nvme;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Nvme;

/// <summary>
/// An NVMe/TCP association seen as a port-layer transport, so <see cref="ScsiPort"/> and the
/// multipath layer drive it as they drive an iSCSI session (Windows' StorNVMe sits under Storport
/// the same way). The "LUN" is the NSID. Block commands go as NVM commands
/// (<see cref="NvmeBlockCommands"/>), TEST UNIT READY as a Keep Alive; completion status comes back
/// as SCSI status and sense after the NVM Express SCSI Translation Reference 1.5, 6.
/// An ANA change notice makes the next command end with UNIT ATTENTION, ASYMMETRIC ACCESS STATE
/// CHANGED (2Ah/06h) without running, which is how the multipath layer learns to re-read states.
/// A lost association throws <see cref="IscsiTransportException"/>, the exception the port contract names.
/// </summary>
public sealed class NvmeScsiTransport : IScsiTransport
{
    private int _anaChanged;

    public NvmeScsiTransport(NvmeTcpController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        Controller = controller;
        controller.AnaChanged += () => Volatile.Write(ref _anaChanged, 1);
        Terminated = WrapTermination(controller);
    }

    public NvmeTcpController Controller { get; }

    public string Name => Controller.Name;

    public bool IsConnected => Controller.IsConnected;

    public Task<Exception> Terminated { get; }

    public TimeSpan ReceiveSilence => Controller.ReceiveSilence;

    // Pooled state machines: a command that waits for the controller allocates no box per command.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag tag, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref _anaChanged, 0) != 0)
        {
            tag?.MarkSent(0, 0);
            return CheckCondition(SenseKey.UnitAttention, AdditionalSense.AsymmetricAccessStateChanged, started);
        }

        try
        {
            if (cdb.Opcode == (byte)ScsiOpcode.TestUnitReady)
            {
                tag?.MarkSent(0, 0);
                await Controller.KeepAliveAsync(cancellationToken).ConfigureAwait(false);
                return new ScsiCommandResult(ScsiStatus.Good, 0, null, 0, false, false, Stopwatch.GetElapsedTime(started));
            }

            if (!NvmeBlockCommands.TryTranslate(cdb, (uint)lun, dataOut, out var command, out var data))
            {
                tag?.MarkSent(0, 0);
                return CheckCondition(SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode, started);
            }

            if (command.Opcode == (byte)IoOpcode.DatasetManagement && !Controller.SupportsDeallocate)
            {
                return new ScsiCommandResult(ScsiStatus.Good, 0, null, 0, false, false, Stopwatch.GetElapsedTime(started));
            }

            var completion = await Controller.ExecuteIoAsync(command, dataIn, data, tag, cancellationToken).ConfigureAwait(false);
            return Translate(completion.Status, started);
        }
        catch (NvmeTransportException ex)
        {
            throw new IscsiTransportException(ex.Message, ex);
        }
        catch (NvmeCommandException ex)
        {
            return Translate(ex.Status, started);
        }
    }

    /// <summary>Abort (base 2.0, 5.1) of the command the tag names (SQID in the tag's high half, CID in the low).</summary>
    public async Task AbortTaskAsync(ulong lun, CommandTag tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tag);
        try
        {
            await Controller.AbortAsync((ushort)(tag.Itt >> 16), (ushort)tag.Itt, cancellationToken).ConfigureAwait(false);
        }
        catch (NvmeTransportException ex)
        {
            throw new IscsiTransportException(ex.Message, ex);
        }
    }

    /// <summary>NVMe has no per-namespace reset: the ladder goes on to the association reset (a drop and reconnect).</summary>
    public Task LogicalUnitResetAsync(ulong lun, CancellationToken cancellationToken) =>
        Task.FromException(new InvalidOperationException("NVMe has no logical unit reset; the controller association is reset instead"));

    public Task TargetWarmResetAsync(CancellationToken cancellationToken) =>
        Task.FromException(new InvalidOperationException("NVMe/TCP resets a controller by ending its association"));

    public async Task<TimeSpan> PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await Controller.KeepAliveAsync(limit.Token).ConfigureAwait(false);
        }
        catch (NvmeTransportException ex)
        {
            throw new IscsiTransportException(ex.Message, ex);
        }
    }

    public void Drop(string reason) => Controller.Drop(reason);

    /// <summary>
    /// NVMe status to SCSI (NVM Express SCSI Translation Reference 1.5, 6.2): ANA path errors become
    /// NOT READY with the ALUA ASCQs (inaccessible 0Bh standby, persistent loss 0Ch unavailable,
    /// transition 0Ah), so a multipath layer moves to another path.
    /// </summary>
    internal static ScsiCommandResult Translate(NvmeStatus status, long started)
    {
        if (status.IsSuccess)
        {
            return new ScsiCommandResult(ScsiStatus.Good, 0, null, 0, false, false, Stopwatch.GetElapsedTime(started));
        }

        if (status == NvmeStatus.ReservationConflict)
        {
            return new ScsiCommandResult(ScsiStatus.ReservationConflict, 0, null, 0, false, false, Stopwatch.GetElapsedTime(started));
        }

        var (key, sense) = (status.Type, status.Code) switch
        {
            (StatusCodeType.PathRelated, 0x01) => (SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleTargetPortInUnavailableState),
            (StatusCodeType.PathRelated, 0x02) => (SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleTargetPortInStandbyState),
            (StatusCodeType.PathRelated, 0x03) => (SenseKey.NotReady, AdditionalSense.LogicalUnitNotAccessibleAsymmetricAccessStateTransition),
            (StatusCodeType.Generic, 0x80) => (SenseKey.IllegalRequest, AdditionalSense.LbaOutOfRange),
            (StatusCodeType.Generic, 0x02 or 0x0B or 0x0F) => (SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb),
            (StatusCodeType.Generic, 0x01) => (SenseKey.IllegalRequest, AdditionalSense.InvalidCommandOperationCode),
            (StatusCodeType.Generic, 0x20) => (SenseKey.DataProtect, AdditionalSense.WriteProtected),
            (StatusCodeType.Generic, 0x82) => (SenseKey.NotReady, AdditionalSense.LogicalUnitNotReadyCauseNotReportable), // namespace not ready
            (StatusCodeType.Generic, 0x07 or 0x22) => (SenseKey.AbortedCommand, AdditionalSense.NoAdditionalSenseInformation), // aborted, transient transport error
            (StatusCodeType.MediaAndDataIntegrity, 0x80) => (SenseKey.MediumError, AdditionalSense.PeripheralDeviceWriteFault),
            (StatusCodeType.MediaAndDataIntegrity, 0x81) => (SenseKey.MediumError, AdditionalSense.UnrecoveredReadError),
            (StatusCodeType.MediaAndDataIntegrity, 0x85) => (SenseKey.Miscompare, AdditionalSense.MiscompareDuringVerifyOperation),
            _ => (SenseKey.HardwareError, AdditionalSense.InternalTargetFailure),
        };
        return CheckCondition(key, sense, started);
    }

    private static ScsiCommandResult CheckCondition(SenseKey key, AdditionalSense sense, long started) =>
        new(ScsiStatus.CheckCondition, 0, new SenseInfo(key, sense.Asc(), sense.Ascq()), 0, false, false, Stopwatch.GetElapsedTime(started));

    private static async Task<Exception> WrapTermination(NvmeTcpController controller)
    {
        var reason = await controller.Terminated.ConfigureAwait(false);
        return new IscsiTransportException(reason.Message, reason);
    }
}
