namespace Storlane.Initiator.Session;

/// <summary>Ending a connection on purpose and logging in again with session reinstatement.</summary>
public sealed partial class IscsiSession
{
    /// <summary>
    /// Drops the connection at once without a logout (the last step of a reset ladder, or a path a
    /// multipath layer no longer trusts): every outstanding command fails with
    /// <see cref="IscsiTransportException"/> and <see cref="Terminated"/> completes.
    /// </summary>
    public void Drop(string reason) => Fail(new IscsiTransportException($"connection to {Portal} dropped: {reason}"));

    /// <summary>
    /// Logs in again to the same portal and target with the same ISID and TSIH 0, which makes the
    /// target reinstate the session (RFC 7143 6.3.5): whatever the old connection still held is
    /// ended there before the new session serves commands. Returns a new session; this one stays dead.
    /// </summary>
    public Task<IscsiSession> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        if (SessionType != Iscsi.Login.SessionType.Normal || TargetName is null)
        {
            throw new InvalidOperationException("only a normal session reconnects");
        }

        return ConnectAsync(Host, Port, TargetName, _options.WithIsid(Isid), cancellationToken);
    }
}
