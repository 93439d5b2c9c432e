using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Port;

/// <summary>An <see cref="IscsiSession"/> seen as a port-layer transport.</summary>
public sealed class IscsiSessionTransport : IScsiTransport
{
    public IscsiSessionTransport(IscsiSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        Session = session;
    }

    public IscsiSession Session { get; }

    public string Name => Session.Portal;

    public bool IsConnected => Session.IsConnected;

    public Task<Exception> Terminated => Session.Terminated;

    public TimeSpan ReceiveSilence => Session.ReceiveSilence;

    public ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag tag, CancellationToken cancellationToken) =>
        Session.ExecuteAsync(lun, cdb, dataIn, dataOut, tag, cancellationToken);

    public Task AbortTaskAsync(ulong lun, CommandTag tag, CancellationToken cancellationToken) => Session.AbortTaskAsync(lun, tag, cancellationToken);

    public Task LogicalUnitResetAsync(ulong lun, CancellationToken cancellationToken) => Session.LogicalUnitResetAsync(lun, cancellationToken);

    public Task TargetWarmResetAsync(CancellationToken cancellationToken) => Session.TargetWarmResetAsync(cancellationToken);

    public Task<TimeSpan> PingAsync(TimeSpan timeout, CancellationToken cancellationToken) => Session.PingAsync(timeout, cancellationToken);

    public void Drop(string reason) => Session.Drop(reason);
}
