namespace Storlane.Lab.Topology.InProcess;

/// <summary>One server NIC of the in-process model: its link, whether its cable is in, and the connections through it.</summary>
internal sealed class NicState(LinkBuckets link)
{
    private readonly Lock _gate = new();
    private readonly HashSet<RelayConnection> _connections = [];

    public LinkBuckets Link { get; } = link;

    public bool IsUp { get; private set; } = true;

    /// <summary>Adds a connection; false (and nothing added) while the cable is pulled.</summary>
    public bool TryAdd(RelayConnection connection)
    {
        lock (_gate)
        {
            return IsUp && _connections.Add(connection);
        }
    }

    public void Remove(RelayConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>Sets the cable state; pulling it returns the connections to abort.</summary>
    public RelayConnection[] SetUp(bool up)
    {
        lock (_gate)
        {
            IsUp = up;
            if (up)
            {
                return [];
            }

            RelayConnection[] cut = [.. _connections];
            _connections.Clear();
            return cut;
        }
    }
}
