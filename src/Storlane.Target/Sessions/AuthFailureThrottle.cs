using System.Net;
using System.Net.Sockets;

namespace Storlane.Target.Sessions;

/// <summary>What one failed authentication counted, and how long its Login Response waits.</summary>
/// <param name="InitiatorFailures">Recent failures of this initiator name, this one included.</param>
/// <param name="AddressFailures">Recent failures from this source address (IPv6: its /64), this one included.</param>
/// <param name="Delay">How long the Login Response (authentication failure) is held back; during it further attempts are refused.</param>
internal readonly record struct AuthFailure(int InitiatorFailures, int AddressFailures, TimeSpan Delay);

/// <summary>
/// Slows CHAP guessing (target and discovery CHAP). Failures are counted per initiator name and per
/// source address; after <see cref="FreeFailures"/> each further one holds back its Login Response
/// for a delay that doubles from <see cref="FirstDelay"/> up to <see cref="MaxDelay"/>, and until
/// that delay has passed another attempt by the same name or from the same address is refused
/// without its secret being checked, so parallel connections gain nothing. A key quiet for
/// <see cref="QuietPeriod"/> starts again from zero. Each table holds at most a fixed number of
/// keys; when full, the key whose last failure is oldest is forgotten, so random initiator names or
/// addresses cannot grow it. Thread-safe; never blocks a caller for longer than a table update.
/// </summary>
internal sealed class AuthFailureThrottle
{
    /// <summary>Failures answered at once: a mistyped secret costs nothing.</summary>
    public const int FreeFailures = 3;

    /// <summary>Keys remembered per table (initiator names, addresses): a few hundred KiB at most.</summary>
    public const int DefaultCapacity = 4096;

    /// <summary>The delay of the first failure past the free ones.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay: an initiator that keeps failing waits this long per attempt.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>A key with no failure for this long is forgotten.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly FailureTable<string> _initiators;
    private readonly FailureTable<IPAddress> _addresses;

    public AuthFailureThrottle(TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _initiators = new FailureTable<string>(capacity, StringComparer.Ordinal);
        _addresses = new FailureTable<IPAddress>(capacity, EqualityComparer<IPAddress>.Default);
    }

    public int TrackedInitiators
    {
        get
        {
            lock (_lock)
            {
                return _initiators.Count;
            }
        }
    }

    public int TrackedAddresses
    {
        get
        {
            lock (_lock)
            {
                return _addresses.Count;
            }
        }
    }

    /// <summary>How long attempts by this initiator or from this address must still wait; zero when they may try now.</summary>
    public TimeSpan RetryAfter(string? initiator, IPAddress? address)
    {
        var now = _time.GetUtcNow();
        var until = DateTimeOffset.MinValue;
        lock (_lock)
        {
            if (initiator is not null && _initiators.TryGet(initiator, out var byName))
            {
                until = byName.BlockedUntil;
            }

            if (Key(address) is { } key && _addresses.TryGet(key, out var byAddress) && byAddress.BlockedUntil > until)
            {
                until = byAddress.BlockedUntil;
            }
        }

        return until > now ? until - now : TimeSpan.Zero;
    }

    /// <summary>Counts one failed authentication and returns the delay its response must wait.</summary>
    public AuthFailure RecordFailure(string? initiator, IPAddress? address)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var byName = initiator is null ? 0 : _initiators.AddFailure(initiator, now);
            var byAddress = Key(address) is { } key ? _addresses.AddFailure(key, now) : 0;
            var delay = DelayAfter(Math.Max(byName, byAddress));
            if (initiator is not null)
            {
                _initiators.Block(initiator, now + delay);
            }

            if (Key(address) is { } blocked)
            {
                _addresses.Block(blocked, now + delay);
            }

            return new AuthFailure(byName, byAddress, delay);
        }
    }

    /// <summary>
    /// An initiator that authenticated is forgotten. Its address is not: another initiator's valid
    /// login from the same host must not reset an attacker's count there.
    /// </summary>
    public void RecordSuccess(string initiator)
    {
        lock (_lock)
        {
            _initiators.Remove(initiator);
        }
    }

    /// <summary>0 for the free failures, then 100 ms, 200 ms, 400 ms ... up to <see cref="MaxDelay"/>.</summary>
    public static TimeSpan DelayAfter(int failures)
    {
        var doublings = failures - FreeFailures - 1;
        if (doublings < 0)
        {
            return TimeSpan.Zero;
        }

        // 2^6 x 100 ms already exceeds the cap; larger shifts would only overflow.
        var delay = FirstDelay * (1L << Math.Min(doublings, 16));
        return delay < MaxDelay ? delay : MaxDelay;
    }

    /// <summary>
    /// IPv4-mapped IPv6 counts as its IPv4 address; other IPv6 addresses count per /64, the block one
    /// host gets (it could rotate through single addresses forever).
    /// </summary>
    private static IPAddress? Key(IPAddress? address)
    {
        if (address is null || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>A bounded map from a key to its recent failures. Not thread-safe: the throttle locks.</summary>
    private sealed class FailureTable<TKey>
        where TKey : notnull
    {
        private readonly int _capacity;
        private readonly Dictionary<TKey, Entry> _entries;

        public FailureTable(int capacity, IEqualityComparer<TKey> comparer)
        {
            _capacity = capacity;
            _entries = new Dictionary<TKey, Entry>(comparer);
        }

        public int Count => _entries.Count;

        public bool TryGet(TKey key, out Entry entry) => _entries.TryGetValue(key, out entry);

        /// <summary>Adds one failure; returns the recent count, this one included.</summary>
        public int AddFailure(TKey key, DateTimeOffset now)
        {
            if (!_entries.TryGetValue(key, out var entry) || now - entry.LastFailure >= QuietPeriod)
            {
                entry = default;
                if (!_entries.ContainsKey(key) && _entries.Count >= _capacity)
                {
                    Evict(now);
                }
            }

            entry.Failures = entry.Failures == int.MaxValue ? int.MaxValue : entry.Failures + 1;
            entry.LastFailure = now;
            _entries[key] = entry;
            return entry.Failures;
        }

        public void Block(TKey key, DateTimeOffset until)
        {
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_entries, key);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry))
            {
                entry.BlockedUntil = until;
            }
        }

        public void Remove(TKey key) => _entries.Remove(key);

        /// <summary>Forgets every quiet key, or else the one whose last failure is oldest.</summary>
        private void Evict(DateTimeOffset now)
        {
            var oldestKey = default(TKey);
            var oldest = DateTimeOffset.MaxValue;
            var quiet = new List<TKey>();
            foreach (var (key, entry) in _entries)
            {
                if (now - entry.LastFailure >= QuietPeriod)
                {
                    quiet.Add(key);
                }
                else if (entry.LastFailure < oldest)
                {
                    oldest = entry.LastFailure;
                    oldestKey = key;
                }
            }

            foreach (var key in quiet)
            {
                _entries.Remove(key);
            }

            if (quiet.Count == 0 && oldestKey is not null)
            {
                _entries.Remove(oldestKey);
            }
        }
    }

    private struct Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset BlockedUntil;
    }
}
