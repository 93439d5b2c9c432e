using System.Runtime.InteropServices;

namespace Storlane.Ceph.Native;

/// <summary>A rados_t: shut down when released, after every I/O context made from it (they hold a reference).</summary>
internal sealed class RadosClusterHandle : SafeHandle
{
    public RadosClusterHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibRados.Shutdown(handle);
        return true;
    }
}

/// <summary>A rados_ioctx_t: keeps its cluster alive until destroyed.</summary>
internal sealed class RadosIoContextHandle : SafeHandle
{
    private RadosClusterHandle? _cluster;

    public RadosIoContextHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Holds a reference on the cluster so rados_shutdown cannot run under this context.</summary>
    public void HoldParent(RadosClusterHandle cluster)
    {
        var added = false;
        cluster.DangerousAddRef(ref added);
        _cluster = cluster;
    }

    protected override bool ReleaseHandle()
    {
        LibRados.IoContextDestroy(handle);
        _cluster?.DangerousRelease();
        return true;
    }
}

/// <summary>An rbd_image_t: closed when released (rbd_close waits for in-flight I/O), keeping its I/O context alive until then.</summary>
internal sealed class RbdImageHandle : SafeHandle
{
    private RadosIoContextHandle? _ioContext;

    public RbdImageHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    public void HoldParent(RadosIoContextHandle ioContext)
    {
        var added = false;
        ioContext.DangerousAddRef(ref added);
        _ioContext = ioContext;
    }

    protected override bool ReleaseHandle()
    {
        var closed = LibRbd.Close(handle) == 0;
        _ioContext?.DangerousRelease();
        return closed;
    }
}
