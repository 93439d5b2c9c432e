using System.Runtime.InteropServices;
using Storlane.Ceph.Native;

namespace Storlane.Ceph.Rbd;

/// <summary>Gathers rbd_diff_iterate2's extents, merging neighbours, and stops the walk once it has enough.</summary>
internal sealed unsafe class RbdExtentCollector(int maxExtents)
{
    private const int Canceled = 125;
    private readonly List<RbdExtent> _extents = [];

    public IReadOnlyList<RbdExtent> Extents => _extents;

    /// <summary>True when the walk was stopped because <c>maxExtents</c> were found.</summary>
    public bool Full { get; private set; }

    public static IReadOnlyList<RbdExtent> Collect(RbdImageHandle image, long offset, long length, int maxExtents, bool wholeObject, string spec)
    {
        var collector = new RbdExtentCollector(maxExtents);
        var handle = GCHandle.Alloc(collector);
        try
        {
            // include_parent = 1: a clone's data still in its parent is data of this image too.
            var result = LibRbd.DiffIterate2(image, null, (ulong)offset, (ulong)length, 1, wholeObject ? (byte)1 : (byte)0, &OnExtent, GCHandle.ToIntPtr(handle));
            if (result != -Canceled || !collector.Full)
            {
                CephException.ThrowIfError(result, "rbd_diff_iterate2", spec);
            }
        }
        finally
        {
            handle.Free();
        }

        return collector.Extents;
    }

    [UnmanagedCallersOnly]
    private static int OnExtent(ulong offset, nuint length, int exists, nint argument)
    {
        var collector = (RbdExtentCollector)GCHandle.FromIntPtr(argument).Target!;
        return collector.Add((long)offset, (long)length, exists != 0);
    }

    private int Add(long offset, long length, bool exists)
    {
        // Against no snapshot every extent exists; a "not exists" one would be data removed since it.
        if (!exists || length == 0)
        {
            return 0;
        }

        if (_extents.Count > 0 && _extents[^1].End == offset)
        {
            _extents[^1] = new RbdExtent(_extents[^1].Offset, _extents[^1].Length + length);
            return 0;
        }

        if (_extents.Count == maxExtents)
        {
            // One past the limit proves the last extent is complete; stop the walk (ECANCELED).
            Full = true;
            return -Canceled;
        }

        _extents.Add(new RbdExtent(offset, length));
        return 0;
    }
}
