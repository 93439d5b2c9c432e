using System.Buffers;

namespace Storlane.Target.Connections;

/// <summary>
/// Data-transfer buffers for SCSI commands. Up to 1 MiB they come from the shared array pool (the
/// common I/O sizes, allocation-free). Larger ones come from a cache that keeps at most
/// <see cref="LargeRetainBytes"/> of them: the shared pool would keep dozens of 8 MiB arrays per
/// core for as long as a minute after a burst of large commands, so memory a hostile or merely busy
/// client made the target take would not be given back when it left.
/// </summary>
internal static class TransferBuffers
{
    /// <summary>The largest buffer served by the shared pool.</summary>
    public const int SharedPoolMax = 1 << 20;

    /// <summary>Bytes of large buffers kept for reuse; the rest go back to the GC.</summary>
    public const long LargeRetainBytes = 64L << 20;

    private static readonly LargeBufferCache Large = new(LargeRetainBytes);

    /// <summary>
    /// Every idle period the large cache is emptied if nothing was rented from it (see
    /// <see cref="LargeBufferCache.TrimIfIdle"/>); once it is empty, the process's
    /// <see cref="MemoryReclaimer"/> may give the burst's memory back to the system.
    /// </summary>
    private static readonly Timer IdleTrim = new(static _ => OnIdlePeriod(), null, IdlePeriod, IdlePeriod);

    /// <summary>How long without a large command before the cache's memory is given back.</summary>
    public static TimeSpan IdlePeriod => TimeSpan.FromSeconds(10);

    /// <summary>Large-buffer bytes dropped (left to the GC) since the start.</summary>
    public static long DroppedBytes => Large.DroppedBytes;

    /// <summary>Starts the idle-period upkeep (it would otherwise wait for the first rented buffer); reclaims are logged to <paramref name="logger"/>.</summary>
    public static void StartUpkeep(Microsoft.Extensions.Logging.ILogger logger)
    {
        MemoryReclaimer.Process.Logger = logger;
        GC.KeepAlive(IdleTrim);
    }

    public static byte[] Rent(int length) => length <= SharedPoolMax ? ArrayPool<byte>.Shared.Rent(length) : Large.Rent(length);

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= SharedPoolMax)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            Large.Return(buffer);
        }
    }

    /// <summary>Runs on a timer: never throws.</summary>
    private static void OnIdlePeriod()
    {
        try
        {
            Large.TrimIfIdle();
            MemoryReclaimer.Process.Tick(burstMemoryCached: Large.RetainedBytes > 0);
        }
        catch (Exception)
        {
            // Upkeep is an optimisation; the next period tries again.
        }
    }
}

/// <summary>Power-of-two buckets of large arrays with a cap on the bytes they keep.</summary>
internal sealed class LargeBufferCache
{

    private const int MinShift = 21; // 2 MiB: what the shared pool does not serve
    private const int MaxShift = 30;
    private readonly Stack<byte[]>[] _buckets = new Stack<byte[]>[MaxShift - MinShift + 1];
    private readonly Lock _lock = new();
    private readonly long _retainBytes;
    private long _retained;
    private long _dropped;
    private long _rents;
    private long _rentsAtLastTrim;

    public LargeBufferCache(long retainBytes)
    {
        _retainBytes = retainBytes;
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Stack<byte[]>();
        }
    }

    public long DroppedBytes => Interlocked.Read(ref _dropped);

    public long RetainedBytes
    {
        get
        {
            lock (_lock)
            {
                return _retained;
            }
        }
    }

    public byte[] Rent(int length)
    {
        Interlocked.Increment(ref _rents);
        var shift = Math.Max(MinShift, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)length - 1));
        if (shift > MaxShift)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        lock (_lock)
        {
            if (_buckets[shift - MinShift].TryPop(out var cached))
            {
                _retained -= cached.Length;
                return cached;
            }
        }

        return GC.AllocateUninitializedArray<byte>(1 << shift);
    }

    public void Return(byte[] buffer)
    {
        var length = buffer.Length;
        if (!System.Numerics.BitOperations.IsPow2(length) || length < 1 << MinShift || length > 1 << MaxShift)
        {
            return;
        }

        lock (_lock)
        {
            if (_retained + length <= _retainBytes)
            {
                _buckets[System.Numerics.BitOperations.Log2((uint)length) - MinShift].Push(buffer);
                _retained += length;
                return;
            }
        }

        Interlocked.Add(ref _dropped, length);
    }

    /// <summary>
    /// When no large buffer was rented since the last call, the cached ones are let go to the GC,
    /// so a burst of large commands, or a hostile client, does not pin up to the retention cap for
    /// the life of the process. (Giving that memory back to the system is the
    /// <see cref="MemoryReclaimer"/>'s job, once the cache is empty.) Never throws.
    /// </summary>
    public void TrimIfIdle()
    {
        try
        {
            var rents = Interlocked.Read(ref _rents);
            if (rents != Interlocked.Exchange(ref _rentsAtLastTrim, rents))
            {
                return;
            }

            lock (_lock)
            {
                foreach (var bucket in _buckets)
                {
                    bucket.Clear();
                }

                Interlocked.Add(ref _dropped, _retained);
                _retained = 0;
            }
        }
        catch (Exception)
        {
            // Trimming is an optimisation; the next period tries again.
        }
    }
}
