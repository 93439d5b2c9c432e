using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>Logout (RFC 7143 11.14, 11.15).</summary>
internal sealed partial class IscsiConnection
{
    /// <summary>How long a logout response waits for its reservation release to reach the other gateways.</summary>
    private static readonly TimeSpan LogoutReleaseWait = TimeSpan.FromSeconds(5);

    private void HandleLogout(Bhs bhs)
    {
        var session = _session!;
        var reason = bhs.LogoutReason;
        session.Window.TryAccept(bhs.CmdSN, bhs.Immediate, consumesTask: false);
        var pdu = ControlPdu.Create(Opcode.LogoutResponse);
        var reply = pdu.Bhs;
        reply.Final = true;
        reply.InitiatorTaskTag = bhs.InitiatorTaskTag;
        switch (reason)
        {
            case LogoutReason.CloseSession:
            case LogoutReason.CloseConnection:
                // One connection per session: closing it closes the session either way.
                reply.Byte2 = (byte)(reason == LogoutReason.CloseConnection && bhs.ConnectionId != _connectionId
                    ? LogoutResponse.CidNotFound
                    : LogoutResponse.ConnectionOrSessionClosed);
                break;
            default:
                // ErrorRecoveryLevel 0 has no connection recovery (11.15.1 code 2).
                reply.Byte2 = (byte)LogoutResponse.RecoveryNotSupported;
                break;
        }

        var closes = reply.Byte2 == (byte)LogoutResponse.ConnectionOrSessionClosed;

        // 11.14: the response follows the cleanup. The I_T nexus ends before it is sent, so the
        // initiator's next command on another session already finds this nexus's reservation
        // and prevention of medium removal released (SPC-4 5.12.1, SBC-3 5.11); with the
        // reservation in a cluster, that session may be on another gateway, so the response
        // waits until the release is in the shared state (libiscsi Reserve6.Logout through two gateways).
        var released = closes ? EndSession() : Task.CompletedTask;
        pdu.CloseAfter = closes;
        _closeReason = "logout";
        if (released.IsCompleted)
        {
            Enqueue(pdu);
            return;
        }

        _ = EnqueueWhenReleasedAsync(released, pdu);
    }

    /// <summary>Sends the logout response once the shared release is in, or after <see cref="LogoutReleaseWait"/> regardless.</summary>
    private async Task EnqueueWhenReleasedAsync(Task released, ControlPdu pdu)
    {
        try
        {
            await released.WaitAsync(LogoutReleaseWait, _server.Time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The release carries on in the background (a gateway's notify timeout is longer); answer anyway.
        }

        Enqueue(pdu);
    }
}
