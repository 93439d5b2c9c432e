namespace Storlane.Target.Sessions;

/// <summary>
/// All live sessions of the server, by TSIH and by (initiator, ISID, target) for session
/// reinstatement (RFC 7143 6.3.5).
/// </summary>
internal sealed class SessionRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ushort, IscsiSession> _byTsih = [];
    private ushort _lastTsih;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byTsih.Count;
            }
        }
    }

    /// <summary>
    /// Registers a new session and finds the one it replaces (same initiator port and target), if
    /// any. Refused when the session's target already serves <paramref name="maxPerTarget"/> normal
    /// sessions besides the replaced one; discovery sessions are bounded by the connection limits.
    /// </summary>
    public bool TryAdd(IscsiSession session, int maxPerTarget, out IscsiSession? replaced)
    {
        lock (_lock)
        {
            replaced = null;
            var sameTarget = 0;
            foreach (var existing in _byTsih.Values)
            {
                if (!string.Equals(existing.TargetName, session.TargetName, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (existing.Isid == session.Isid
                    && string.Equals(existing.InitiatorName, session.InitiatorName, StringComparison.OrdinalIgnoreCase))
                {
                    replaced = existing;
                }
                else
                {
                    sameTarget++;
                }
            }

            if (session.Target is not null && sameTarget >= maxPerTarget)
            {
                replaced = null;
                return false;
            }

            if (replaced is not null)
            {
                _byTsih.Remove(replaced.Tsih);
            }

            session.Tsih = NextTsih();
            _byTsih.Add(session.Tsih, session);
            return true;
        }
    }

    public IscsiSession? Find(ushort tsih)
    {
        lock (_lock)
        {
            return _byTsih.GetValueOrDefault(tsih);
        }
    }

    public void Remove(IscsiSession session)
    {
        lock (_lock)
        {
            if (_byTsih.TryGetValue(session.Tsih, out var current) && ReferenceEquals(current, session))
            {
                _byTsih.Remove(session.Tsih);
            }
        }
    }

    public List<IscsiSession> Snapshot()
    {
        lock (_lock)
        {
            return [.. _byTsih.Values];
        }
    }

    /// <summary>TSIH is never 0 (0 means "new session" in a login request, RFC 7143 11.12.6).</summary>
    private ushort NextTsih()
    {
        do
        {
            _lastTsih++;
        }
        while (_lastTsih == 0 || _byTsih.ContainsKey(_lastTsih));

        return _lastTsih;
    }
}
