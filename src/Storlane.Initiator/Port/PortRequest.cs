using Storlane.Initiator.Session;

namespace Storlane.Initiator.Port;

/// <summary>
/// One slot of a LU's queue: reused command after command, so an I/O allocates nothing here. The
/// timeout scan reads <see cref="StartTicks"/> and <see cref="Tag"/> of the slots in use.
/// </summary>
internal sealed class PortRequest
{
    private int _inUse;
    private int _escalated;

    public CommandTag Tag { get; } = new();

    public long StartTicks { get; private set; }

    public bool InUse => Volatile.Read(ref _inUse) != 0;

    /// <summary>The reset ladder ran for this command: its TASK ABORTED answer means "timed out".</summary>
    public bool Escalated => Volatile.Read(ref _escalated) != 0;

    /// <param name="now">The port clock's timestamp (<see cref="PortOptions.Time"/>): the start of the command's timeout.</param>
    public void Begin(long now)
    {
        Tag.Reset();
        StartTicks = now;
        Volatile.Write(ref _escalated, 0);
        Volatile.Write(ref _inUse, 1);
    }

    public void End() => Volatile.Write(ref _inUse, 0);

    /// <summary>Claims the timeout for the ladder; false when it was already claimed.</summary>
    public bool TryEscalate() => Interlocked.Exchange(ref _escalated, 1) == 0;
}
