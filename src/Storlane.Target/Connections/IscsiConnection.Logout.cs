using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>Logout (RFC 7143 11.14, 11.15).</summary>
internal sealed partial class IscsiConnection
{
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
        if (closes)
        {
            // 11.14: the response follows the cleanup. The I_T nexus ends before it is sent, so the
            // initiator's next command on another session already finds this nexus's reservation
            // and prevention of medium removal released (SPC-4 5.12.1, SBC-3 5.11).
            EndSession();
        }

        pdu.CloseAfter = closes;
        _closeReason = "logout";
        Enqueue(pdu);
    }
}
