using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Storlane.Ceph.Native;

namespace Storlane.Ceph.Rbd;

/// <summary>
/// One asynchronous librbd request in flight, and the awaitable its caller holds. Pooled: the
/// object, its GCHandle (the callback argument) and its native mismatch-offset slot are made once
/// and reused, so an I/O allocates nothing managed. librbd calls <see cref="OnComplete"/> on its
/// finisher thread; that reads the result, releases the native completion, unpins the buffers and
/// completes the ValueTask. Continuations run on the thread pool, never on librbd's finisher, so
/// a slow awaiter cannot stall other images' completions.
/// </summary>
internal sealed unsafe class RbdOperation : IValueTaskSource<RbdCompletion>
{
    private const int PoolLimit = 1024;
    private static readonly ConcurrentQueue<RbdOperation> Pool = new();
    private static int _pooled;

    private readonly GCHandle _self;
    private readonly ulong* _mismatchOffset;
    private ManualResetValueTaskSourceCore<RbdCompletion> _core = new() { RunContinuationsAsynchronously = true };
    private MemoryHandle _first;
    private MemoryHandle _second;

    private RbdOperation()
    {
        _self = GCHandle.Alloc(this, GCHandleType.Normal);
        _mismatchOffset = (ulong*)NativeMemory.Alloc(sizeof(ulong));
    }

    /// <summary>Where librbd writes the first mismatching byte's image offset for a failed compare-and-write.</summary>
    public ulong* MismatchOffset => _mismatchOffset;

    public static RbdOperation Rent()
    {
        if (Pool.TryDequeue(out var operation))
        {
            Interlocked.Decrement(ref _pooled);
            return operation;
        }

        return new RbdOperation();
    }

    /// <summary>Makes the native completion that will call back into this operation.</summary>
    public nint CreateCompletion()
    {
        var result = LibRbd.AioCreateCompletion(GCHandle.ToIntPtr(_self), &OnComplete, out var completion);
        if (result < 0)
        {
            CephException.Throw("rbd_aio_create_completion", -result, null);
        }

        return completion;
    }

    /// <summary>Keeps <paramref name="first"/> (and <paramref name="second"/>) pinned until librbd is done with them.</summary>
    public void Pin(MemoryHandle first, MemoryHandle second = default)
    {
        _first = first;
        _second = second;
    }

    /// <summary>
    /// The request was not submitted (librbd refused it at once): releases the completion and the
    /// pins and returns the operation to the pool; the caller throws.
    /// </summary>
    public void Abandon(nint completion)
    {
        LibRbd.AioRelease(completion);
        Unpin();
        Return();
    }

    public ValueTask<RbdCompletion> AsValueTask() => new(this, _core.Version);

    public RbdCompletion GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    [UnmanagedCallersOnly]
    private static void OnComplete(nint completion, nint argument)
    {
        var operation = (RbdOperation)GCHandle.FromIntPtr(argument).Target!;
        long result = LibRbd.AioGetReturnValue(completion);
        LibRbd.AioRelease(completion);
        var mismatch = (long)*operation._mismatchOffset;
        operation.Unpin();

        // The errno stays a value: the caller knows which call it made and names it when it throws.
        operation._core.SetResult(new RbdCompletion(result, mismatch));
    }

    private void Unpin()
    {
        _first.Dispose();
        _second.Dispose();
        _first = default;
        _second = default;
    }

    private void Return()
    {
        _core.Reset();
        *_mismatchOffset = 0;
        if (Interlocked.Increment(ref _pooled) <= PoolLimit)
        {
            Pool.Enqueue(this);
            return;
        }

        // Past the limit (a burst of concurrency) the extra operation is dropped; its handle and slot go with it.
        Interlocked.Decrement(ref _pooled);
        _self.Free();
        NativeMemory.Free(_mismatchOffset);
    }
}

/// <summary>What an asynchronous librbd request returned: a byte count or a negative errno, and for a failed compare-and-write where the first mismatch lies.</summary>
internal readonly record struct RbdCompletion(long ReturnValue, long MismatchOffset);
