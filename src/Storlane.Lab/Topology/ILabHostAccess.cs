namespace Storlane.Lab.Topology;

/// <summary>
/// Lets code in the lab process act as one of the hosts, for tests and in-process clients. Both
/// topologies implement it next to <see cref="ILabTopology"/>. <paramref name="start"/> runs
/// synchronously, and every socket it creates before it first awaits belongs to that host's
/// network: with namespaces it runs on a thread that entered the host's namespace (setns(2)).
/// Sockets created later, on other threads, belong to the lab process's own network, so a
/// client that reconnects by itself (an iSCSI session after a pulled cable) cannot use this.
/// </summary>
public interface ILabHostAccess
{
    /// <summary>Runs <paramref name="start"/> as the server host (where the initiator and bench run).</summary>
    T RunOnServerHost<T>(Func<T> start);

    /// <summary>Runs <paramref name="start"/> as the storage host (where the target listens).</summary>
    T RunOnStorageHost<T>(Func<T> start);
}
