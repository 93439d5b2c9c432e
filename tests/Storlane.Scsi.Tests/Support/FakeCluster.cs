namespace Storlane.Scsi.Tests;

/// <summary>
/// An in-memory stand-in for one RADOS object shared by gateways: a versioned blob with
/// compare-and-swap, and a notify that reaches every other gateway's listener before the writer's
/// call returns (as rados_notify2 waits for the watchers' acknowledgements). Tests can cut a gateway
/// off (<see cref="Gateway.Reachable"/>) or make it miss notifications (<see cref="Gateway.Deaf"/>).
/// </summary>
internal sealed class FakeCluster
{
    private readonly Lock _lock = new();
    private readonly List<Gateway> _gateways = [];
    private SharedStateImage _image;

    public int Writes { get; private set; }

    /// <summary>Reads of the object by any gateway: the data path must answer from the cached copy.</summary>
    public int Loads => Volatile.Read(ref _loads);

    private int _loads;

    public Gateway Connect()
    {
        var gateway = new Gateway(this);
        lock (_lock)
        {
            _gateways.Add(gateway);
        }

        return gateway;
    }

    /// <summary>Another writer (a gateway of another test) changes the object without telling anyone.</summary>
    public SharedStateImage Image
    {
        get
        {
            lock (_lock)
            {
                return _image;
            }
        }
    }

    internal sealed class Gateway(FakeCluster cluster) : ILuSharedState
    {
        private ISharedStateListener? _listener;
        private bool _reachable = true;

        public bool Deaf { get; set; }

        public bool Reachable
        {
            get => _reachable;
            set
            {
                _reachable = value;
                _listener?.AvailabilityChanged(value);
            }
        }

        public SharedStatePersistence Persistence => SharedStatePersistence.Always;

        public bool IsShared => true;

        public ValueTask<SharedStateImage> LoadAsync(CancellationToken cancellationToken)
        {
            ThrowIfUnreachable();
            Interlocked.Increment(ref cluster._loads);
            return new(cluster.Image);
        }

        public ValueTask<ulong?> TryReplaceAsync(ulong expectedVersion, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken)
        {
            ThrowIfUnreachable();
            SharedStateImage image;
            List<Gateway> others;
            lock (cluster._lock)
            {
                if (cluster._image.Version != expectedVersion)
                {
                    return new((ulong?)null);
                }

                image = new SharedStateImage(expectedVersion + 1, content.ToArray());
                cluster._image = image;
                cluster.Writes++;
                others = cluster._gateways.FindAll(g => !ReferenceEquals(g, this));
            }

            foreach (var other in others)
            {
                if (other._reachable && !other.Deaf)
                {
                    other._listener?.Changed(image);
                }
            }

            return new(image.Version);
        }

        public void Subscribe(ISharedStateListener listener) => _listener = listener;

        private void ThrowIfUnreachable()
        {
            if (!_reachable)
            {
                throw new SharedStateUnavailableException("the fake cluster is cut off");
            }
        }
    }
}
