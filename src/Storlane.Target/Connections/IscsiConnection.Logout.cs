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
        pdu.CloseAfter = closes;
        _closeReason = "logout";
        Enqueue(pdu);
    }
}
