using Microsoft.Extensions.Logging;

namespace Storlane.Target;

/// <summary>
/// The target's log categories, one per area, so an administrator can turn one up without the rest
/// (`storlane serve --log-level info,Storlane.Target.Login=debug`). docs/logging.md lists them.
/// </summary>
internal sealed class TargetLoggers
{
    public TargetLoggers(ILoggerFactory factory)
    {
        Server = factory.CreateLogger("Storlane.Target");
        Portals = factory.CreateLogger("Storlane.Target.Portals");
        Connections = factory.CreateLogger("Storlane.Target.Connections");
        Login = factory.CreateLogger("Storlane.Target.Login");
        TaskManagement = factory.CreateLogger("Storlane.Target.TaskManagement");
        Pdus = factory.CreateLogger("Storlane.Target.Pdus");
        Changes = factory.CreateLogger("Storlane.Target.Changes");
        Memory = factory.CreateLogger("Storlane.Target.Memory");
        Scsi = factory.CreateLogger("Storlane.Scsi");
    }

    /// <summary>Start, stop, LUNs served, ALUA states, connection admission.</summary>
    public ILogger Server { get; }

    /// <summary>Listeners opening and closing, bind failures, the host's addresses.</summary>
    public ILogger Portals { get; }

    /// <summary>One connection's life: accepted, protocol and digest errors, timeouts, closed.</summary>
    public ILogger Connections { get; }

    /// <summary>Logins, CHAP failures, session reinstatement.</summary>
    public ILogger Login { get; }

    public ILogger TaskManagement { get; }

    /// <summary>Every PDU in and out at trace level: a wire trace without tcpdump.</summary>
    public ILogger Pdus { get; }

    /// <summary>Live changes: LUNs added or removed, ACL, CHAP, read-only, offline.</summary>
    public ILogger Changes { get; }

    /// <summary>Transfer buffers given back to the system after a burst.</summary>
    public ILogger Memory { get; }

    /// <summary>The SCSI logical units: device failures, resets, SANITIZE, reservations.</summary>
    public ILogger Scsi { get; }
}
