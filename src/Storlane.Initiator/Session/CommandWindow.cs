using Storlane.Iscsi;

namespace Storlane.Initiator.Session;

/// <summary>
/// The CmdSN window the target grants (RFC 7143 4.2.2.1). Not thread-safe: the session guards it
/// with its send lock so that assigning a CmdSN and queueing the PDU happen in one step.
/// </summary>
internal sealed class CommandWindow
{
    /// <summary>Non-immediate tasks waiting for the window to open, in CmdSN order once sent.</summary>
    public Queue<InitiatorTask> Waiting { get; } = new();

    /// <summary>The CmdSN the next non-immediate command gets (and the one immediate PDUs carry).</summary>
    public uint Next { get; private set; }

    public uint ExpCmdSN { get; private set; }

    public uint MaxCmdSN { get; private set; }

    /// <summary>"iSCSI initiators MUST NOT send non-immediate commands with CmdSN greater than MaxCmdSN" (4.2.2.1).</summary>
    public bool IsOpen => SerialNumber.LessOrEqual(Next, MaxCmdSN);

    /// <summary>Commands that may still be sent before the window closes.</summary>
    public int Available => IsOpen ? (int)(MaxCmdSN - Next + 1) : 0;

    public void Reset(uint next, uint expCmdSN, uint maxCmdSN)
    {
        Next = next;
        ExpCmdSN = expCmdSN;
        MaxCmdSN = maxCmdSN;
    }

    public uint Take() => Next++;

    /// <summary>
    /// Applies ExpCmdSN/MaxCmdSN from a target PDU. "If the PDU MaxCmdSN is less than the PDU
    /// ExpCmdSN-1 (in Serial Arithmetic Sense), both MaxCmdSN and ExpCmdSN MUST be ignored" (4.2.2.1);
    /// otherwise each only moves forward, since PDUs from the target may carry stale values.
    /// Returns true when the window may have opened.
    /// </summary>
    public bool Update(uint expCmdSN, uint maxCmdSN)
    {
        if (SerialNumber.LessThan(maxCmdSN, expCmdSN - 1))
        {
            return false;
        }

        if (SerialNumber.GreaterThan(expCmdSN, ExpCmdSN))
        {
            ExpCmdSN = expCmdSN;
        }

        if (SerialNumber.GreaterThan(maxCmdSN, MaxCmdSN))
        {
            MaxCmdSN = maxCmdSN;
            return true;
        }

        return false;
    }
}
