using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;

namespace Storlane.Initiator.Port;

/// <summary>
/// What the port layer needs from a session (an I_T nexus): commands with a tag it can abort, the
/// task management functions of the reset ladder, pings, and a way to drop the connection.
/// <see cref="IscsiSessionTransport"/> adapts an <see cref="IscsiSession"/>; tests use fakes.
/// </summary>
public interface IScsiTransport
{
    /// <summary>A name for logs and events ("127.0.0.1:3260").</summary>
    string Name { get; }

    bool IsConnected { get; }

    /// <summary>Completes with the reason when the connection ends.</summary>
    Task<Exception> Terminated { get; }

    /// <summary>Time since the target last sent anything (a busy path silent this long is probed); zero when not tracked.</summary>
    TimeSpan ReceiveSilence => TimeSpan.Zero;

    /// <summary>Runs one command and calls <see cref="CommandTag.MarkSent"/> when it goes out; a lost connection throws <see cref="IscsiTransportException"/>.</summary>
    ValueTask<ScsiCommandResult> ExecuteAsync(ulong lun, ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CommandTag tag, CancellationToken cancellationToken);

    Task AbortTaskAsync(ulong lun, CommandTag tag, CancellationToken cancellationToken);

    Task LogicalUnitResetAsync(ulong lun, CancellationToken cancellationToken);

    Task TargetWarmResetAsync(CancellationToken cancellationToken);

    Task<TimeSpan> PingAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Ends the connection now; outstanding commands fail with <see cref="IscsiTransportException"/>.</summary>
    void Drop(string reason);
}
