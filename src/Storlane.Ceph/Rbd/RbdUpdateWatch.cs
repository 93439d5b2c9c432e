using System.Runtime.InteropServices;
using Storlane.Ceph.Native;

namespace Storlane.Ceph.Rbd;

/// <summary>An rbd_update_watch registration: librbd calls back when the image header changes.</summary>
internal sealed unsafe class RbdUpdateWatch : IDisposable
{
    private readonly RbdImageHandle _image;
    private readonly Action _onUpdate;
    private GCHandle _self;
    private ulong _watchHandle;
    private int _disposed;

    private RbdUpdateWatch(RbdImageHandle image, Action onUpdate)
    {
        _image = image;
        _onUpdate = onUpdate;
    }

    public static RbdUpdateWatch Start(RbdImageHandle image, Action onUpdate, string spec)
    {
        ArgumentNullException.ThrowIfNull(onUpdate);
        var watch = new RbdUpdateWatch(image, onUpdate);
        watch._self = GCHandle.Alloc(watch);
        var result = LibRbd.UpdateWatch(image, out watch._watchHandle, &OnUpdate, GCHandle.ToIntPtr(watch._self));
        if (result < 0)
        {
            watch._self.Free();
            CephException.Throw("rbd_update_watch", -result, spec);
        }

        return watch;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // rbd_update_unwatch returns once no callback is running, so the handle can go after it.
        if (!_image.IsClosed)
        {
            LibRbd.UpdateUnwatch(_image, _watchHandle);
        }

        _self.Free();
    }

    [UnmanagedCallersOnly]
    private static void OnUpdate(nint argument)
    {
        var watch = (RbdUpdateWatch)GCHandle.FromIntPtr(argument).Target!;
        if (Volatile.Read(ref watch._disposed) == 0)
        {
            // librbd's thread must not wait on the callback's work (which may call back into librbd).
            ThreadPool.UnsafeQueueUserWorkItem(static action => action(), watch._onUpdate, preferLocal: false);
        }
    }
}
