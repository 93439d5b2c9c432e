namespace Storlane.Target.Connections;

/// <summary>
/// How long one connection may take (<see cref="TargetLimits"/>): to log in, and to send the rest of
/// a PDU it started. What it may make the target hold is counted by <see cref="ConnectionWriter"/>
/// (queued replies) and <see cref="ConnectionTasks"/> (data buffers).
/// </summary>
internal sealed partial class IscsiConnection
{
    /// <summary>
    /// Called once a second: a login that has not reached full feature phase in time, and a PDU
    /// whose rest has not arrived in time, end the connection (a client that opens a socket, or
    /// starts a PDU, and then waits must not hold a connection forever).
    /// </summary>
    private bool CheckTimeouts(long now)
    {
        var limits = _server.Limits;
        string? why = null;
        if (_session is null && limits.LoginTimeoutSeconds > 0 && now - _acceptedTicks > limits.LoginTimeoutSeconds * 1000L)
        {
            why = $"login not completed within {limits.LoginTimeoutSeconds} s (login-timeout)";
        }
        else if (Volatile.Read(ref _stalledSinceTicks) is var since and not 0 && limits.PduStallTimeoutSeconds > 0
            && now - since > limits.PduStallTimeoutSeconds * 1000L)
        {
            why = $"no byte of a started PDU for {limits.PduStallTimeoutSeconds} s (pdu-stall-timeout)";
        }

        if (why is null)
        {
            return false;
        }

        TargetLog.ConnectionTimedOut(_server.Loggers.Connections, Number, Remote, why);
        Abort(why);
        return true;
    }
}
