namespace Storlane.Ceph.Rbd;

/// <summary>A byte range of an image that holds data.</summary>
public readonly record struct RbdExtent(long Offset, long Length)
{
    public long End => Offset + Length;
}
