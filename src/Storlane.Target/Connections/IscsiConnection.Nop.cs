using System.Buffers;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>NOP-Out answers and NOP-In pings (RFC 7143 11.18, 11.19).</summary>
internal sealed partial class IscsiConnection
{
    private void HandleNopOut(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        var session = _session!;
        var itt = bhs.InitiatorTaskTag;
        var ttt = bhs.TargetTransferTag;
        if (itt == Bhs.ReservedTag)
        {
            // An answer to our ping: "MUST only have the I bit set ... the TTT is copied".
            if (ttt != Bhs.ReservedTag)
            {
                Interlocked.CompareExchange(ref _pingTag, Bhs.ReservedTag, ttt);
            }

            return;
        }

        // A ping from the initiator (ITT set) consumes a CmdSN unless immediate.
        if (!session.Window.TryAccept(bhs.CmdSN, bhs.Immediate, consumesTask: false))
        {
            return;
        }

        // "the NOP-In ... echoes the data ... TTT is 0xffffffff" (11.19.2).
        var pdu = ControlPdu.Create(Opcode.NopIn);
        var reply = pdu.Bhs;
        reply.Final = true;
        reply.LunField = bhs.LunField;
        reply.InitiatorTaskTag = itt;
        reply.TargetTransferTag = Bhs.ReservedTag;
        pdu.Data = data.IsEmpty ? [] : data.ToArray(); // most pings carry no data: no array for them
        Enqueue(pdu);
    }

    /// <summary>
    /// The connection's once-a-second watchdog, called by the server's <see cref="ConnectionHeartbeat"/>:
    /// the login and PDU-stall timeouts (<see cref="CheckTimeouts"/>), and pings of an idle initiator
    /// with a NOP-In (ITT 0xffffffff, a TTT to answer), dropping the connection when the answer does
    /// not come in time: a dead peer must not hold a session.
    /// </summary>
    public void OnHeartbeat(long nowMilliseconds)
    {
        if (!_closing.IsCancellationRequested && !CheckTimeouts(nowMilliseconds) && _session is not null)
        {
            PingTimedOut(nowMilliseconds);
        }
    }

    /// <summary>A bug in a heartbeat check ends this connection, not the process and not the other connections' checks.</summary>
    internal void HeartbeatFailed(Exception exception)
    {
        TargetLog.ConnectionFault(_server.Loggers.Connections, Number, Remote, exception);
        Abort("internal error");
    }

    /// <summary>Sends a ping when the initiator has been silent; true when one went unanswered too long.</summary>
    private bool PingTimedOut(long now)
    {
        var interval = _server.Options.NopInIntervalSeconds;
        if (interval <= 0)
        {
            return false;
        }

        var timeoutMs = Math.Max(1, _server.Options.NopInTimeoutSeconds) * 1000L;
        if (Volatile.Read(ref _pingTag) != Bhs.ReservedTag)
        {
            if (now - _pingSentTicks > timeoutMs && now - Volatile.Read(ref _lastReceiveTicks) > timeoutMs)
            {
                TargetLog.PingTimeout(_server.Loggers.Connections, Number, Remote, (int)(timeoutMs / 1000));
                Abort("NOP-In ping timed out");
                return true;
            }

            return false;
        }

        if (now - Volatile.Read(ref _lastReceiveTicks) >= interval * 1000L)
        {
            var tag = NextTargetTransferTag();
            _pingSentTicks = now;
            Volatile.Write(ref _pingTag, tag);
            var pdu = ControlPdu.Create(Opcode.NopIn);
            pdu.AdvancesStatSN = false; // "when the ITT is 0xffffffff, StatSN is not advanced"
            var bhs = pdu.Bhs;
            bhs.Final = true;
            bhs.InitiatorTaskTag = Bhs.ReservedTag;
            bhs.TargetTransferTag = tag;
            Enqueue(pdu);
        }

        return false;
    }
}
