using System.Runtime.InteropServices;
using Storlane.Lab.Processes;

namespace Storlane.Lab.Topology;

/// <summary>
/// Undoes what the lab created when the lab process is interrupted: on SIGINT (Ctrl-C), SIGTERM,
/// SIGQUIT and process exit, every live child is stopped by PID and every live topology removes
/// its namespaces, links and relays. The default action of the signal is left alone, so the
/// process still ends (unless the application cancels it to stop gracefully, in which case the
/// later DisposeAsync calls find nothing left to do).
/// </summary>
internal static class LabCleanup
{
    private static readonly TimeSpan SignalGrace = TimeSpan.FromSeconds(2);
    private static readonly Lock Gate = new();
    private static readonly HashSet<LabProcess> LiveProcesses = [];
    private static readonly HashSet<IEmergencyCleanup> Topologies = [];
    private static PosixSignalRegistration[]? _registrations;

    public static void Track(LabProcess process) => Add(LiveProcesses, process);

    public static void Untrack(LabProcess process) => Remove(LiveProcesses, process);

    public static void Track(IEmergencyCleanup topology) => Add(Topologies, topology);

    public static void Untrack(IEmergencyCleanup topology) => Remove(Topologies, topology);

    /// <summary>Stops every tracked child and removes every tracked topology, blocking until done.</summary>
    public static void RunNow()
    {
        LabProcess[] processes;
        IEmergencyCleanup[] topologies;
        lock (Gate)
        {
            processes = [.. LiveProcesses];
            topologies = [.. Topologies];
        }

        LabProcess.StopAllBlocking(processes, SignalGrace);

        foreach (var topology in topologies)
        {
            try
            {
                topology.CleanupNow();
            }
            catch (Exception e)
            {
                // Best effort while the process is going down; the next run sweeps what is left.
                Console.Error.WriteLine("storlane lab: cleanup incomplete, the next run removes the rest: " + e.Message);
            }
        }
    }

    /// <summary>The handlers are registered before the first thing is tracked, so nothing tracked escapes them.</summary>
    private static void Add<T>(HashSet<T> tracked, T item)
    {
        lock (Gate)
        {
            EnsureRegistered();
            tracked.Add(item);
        }
    }

    private static void Remove<T>(HashSet<T> tracked, T item)
    {
        lock (Gate)
        {
            tracked.Remove(item);
        }
    }

    private static void EnsureRegistered()
    {
        if (_registrations is not null)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunNow();
            ChildRegistry.ForgetOwn();
        };
        if (OperatingSystem.IsWindows())
        {
            _registrations = [];
            return;
        }

        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
        ];
    }

    private static void OnSignal(PosixSignalContext context) => RunNow();
}

/// <summary>A topology that can tear itself down synchronously, from a signal handler.</summary>
internal interface IEmergencyCleanup
{
    void CleanupNow();
}
