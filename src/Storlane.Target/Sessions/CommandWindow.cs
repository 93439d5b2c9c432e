using Storlane.Iscsi;

namespace Storlane.Target.Sessions;

/// <summary>
/// The session's command numbering window (RFC 7143 4.2.2.1). ExpCmdSN advances as commands
/// arrive; MaxCmdSN opens as tasks finish, so at most <c>size</c> tasks are ever outstanding.
/// All comparisons use serial arithmetic (RFC 1982).
/// </summary>
internal sealed class CommandWindow
{
    private readonly Lock _lock = new();
    private readonly int _size;
    private readonly int _immediateTasks;
    private uint _expCmdSN;
    private uint _maxCmdSN;
    private int _active;

    /// <param name="immediateTasks">Immediate commands that may be outstanding beyond the window's size.</param>
    public CommandWindow(uint initialCmdSN, int size, int immediateTasks = 0)
    {
        _size = Math.Max(1, size);
        _immediateTasks = Math.Max(0, immediateTasks);
        _expCmdSN = initialCmdSN;
        _maxCmdSN = initialCmdSN + (uint)_size - 1;
    }

    public uint ExpCmdSN
    {
        get
        {
            lock (_lock)
            {
                return _expCmdSN;
            }
        }
    }

    public uint MaxCmdSN
    {
        get
        {
            lock (_lock)
            {
                return _maxCmdSN;
            }
        }
    }

    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Immediate commands bypass the CmdSN window, so they need a bound of their own: a task is
    /// accepted while fewer than the window's size plus the immediate allowance are outstanding.
    /// </summary>
    public bool HasRoomForImmediateTask
    {
        get
        {
            lock (_lock)
            {
                return _active < _size + _immediateTasks;
            }
        }
    }

    /// <summary>
    /// Decides whether a command is delivered. "For non-immediate commands, the CmdSN field can
    /// take any value from ExpCmdSN to MaxCmdSN inclusive. The target MUST silently ignore any
    /// non-immediate command outside of this range or non-immediate duplicates within the range."
    /// Immediate commands are always delivered and do not advance ExpCmdSN.
    /// </summary>
    public bool TryAccept(uint cmdSN, bool immediate, bool consumesTask)
    {
        lock (_lock)
        {
            if (!immediate)
            {
                if (!SerialNumber.InWindow(cmdSN, _expCmdSN, _maxCmdSN))
                {
                    return false;
                }

                // One connection per session keeps commands in order, so a CmdSN ahead of
                // ExpCmdSN can only mean the skipped ones will never come: move past them.
                _expCmdSN = cmdSN + 1;
            }

            if (consumesTask)
            {
                _active++;
            }

            return true;
        }
    }

    /// <summary>A task finished or was aborted: reopen one slot of the window.</summary>
    public void TaskFinished()
    {
        lock (_lock)
        {
            _active--;
            Recompute();
        }
    }

    /// <summary>Current (ExpCmdSN, MaxCmdSN) for a response header.</summary>
    public (uint ExpCmdSN, uint MaxCmdSN) Snapshot()
    {
        lock (_lock)
        {
            Recompute();
            return (_expCmdSN, _maxCmdSN);
        }
    }

    /// <summary>MaxCmdSN never moves backwards: initiators ignore a smaller value anyway (4.2.2.1).</summary>
    private void Recompute()
    {
        var free = Math.Max(0, _size - _active);
        _maxCmdSN = SerialNumber.Max(_maxCmdSN, _expCmdSN + (uint)free - 1);
    }
}
