namespace Storlane.Initiator.Session;

/// <summary>
/// Where a command went: its initiator task tag and CmdSN once the session has sent it. A port
/// layer passes one (reused per slot) to <see cref="IscsiSession.ExecuteAsync(ulong, in Storlane.Protocol.Scsi.ScsiCdb, Memory{byte}, ReadOnlyMemory{byte}, CommandTag?, CancellationToken)"/>
/// so that it can ABORT TASK a command that hangs without cancelling the caller.
/// </summary>
public sealed class CommandTag
{
    private uint _itt;
    private uint _cmdSN;
    private int _sent;

    /// <summary>True once the command has a CmdSN and went to the writer.</summary>
    public bool IsSent => Volatile.Read(ref _sent) != 0;

    public uint Itt => _itt;

    public uint CmdSN => _cmdSN;

    /// <summary>Clears the tag for its next command.</summary>
    public void Reset() => Volatile.Write(ref _sent, 0);

    /// <summary>Called by the transport when the command goes out with its tag and sequence number.</summary>
    public void MarkSent(uint itt, uint cmdSN)
    {
        _itt = itt;
        _cmdSN = cmdSN;
        Volatile.Write(ref _sent, 1);
    }
}
