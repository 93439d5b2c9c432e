using Storlane.Ceph.Native;

namespace Storlane.Ceph.Rbd;

/// <summary>
/// Starts one rbd_aio_* request: rents an operation, makes its completion, pins the buffers and
/// submits. A request librbd refuses at once is undone and thrown here; otherwise the returned
/// operation completes when librbd calls back.
/// </summary>
internal static unsafe class RbdSubmit
{
    public static RbdOperation Read(RbdImageHandle image, long offset, Memory<byte> destination, string spec)
    {
        var operation = RbdOperation.Rent();
        var completion = operation.CreateCompletion();
        var pin = destination.Pin();
        operation.Pin(pin);
        return Check(operation, completion, LibRbd.AioRead(image, (ulong)offset, (nuint)destination.Length, (byte*)pin.Pointer, completion), "rbd_aio_read", spec);
    }

    public static RbdOperation Write(RbdImageHandle image, long offset, ReadOnlyMemory<byte> source, string spec)
    {
        var operation = RbdOperation.Rent();
        var completion = operation.CreateCompletion();
        var pin = source.Pin();
        operation.Pin(pin);
        return Check(operation, completion, LibRbd.AioWrite(image, (ulong)offset, (nuint)source.Length, (byte*)pin.Pointer, completion), "rbd_aio_write", spec);
    }

    public static RbdOperation Flush(RbdImageHandle image, string spec)
    {
        var operation = RbdOperation.Rent();
        var completion = operation.CreateCompletion();
        return Check(operation, completion, LibRbd.AioFlush(image, completion), "rbd_aio_flush", spec);
    }

    public static RbdOperation Discard(RbdImageHandle image, long offset, long length, string spec)
    {
        var operation = RbdOperation.Rent();
        var completion = operation.CreateCompletion();
        return Check(operation, completion, LibRbd.AioDiscard(image, (ulong)offset, (ulong)length, completion), "rbd_aio_discard", spec);
    }

    public static RbdOperation WriteZeroes(RbdImageHandle image, long offset, long length, string spec)
    {
        var operation = RbdOperation.Rent();
        var completion = operation.CreateCompletion();
        return Check(operation, completion, LibRbd.AioWriteZeroes(image, (ulong)offset, (nuint)length, completion, 0, 0), "rbd_aio_write_zeroes", spec);
    }

    public static RbdOperation CompareAndWrite(RbdImageHandle image, long offset, ReadOnlyMemory<byte> compare, ReadOnlyMemory<byte> write, string spec)
    {
        var operation = RbdOperation.Rent();
        var completion = operation.CreateCompletion();
        var comparePin = compare.Pin();
        var writePin = write.Pin();
        operation.Pin(comparePin, writePin);
        var submitted = LibRbd.AioCompareAndWrite(image, (ulong)offset, (nuint)write.Length, (byte*)comparePin.Pointer, (byte*)writePin.Pointer, completion, operation.MismatchOffset, 0);
        return Check(operation, completion, (int)submitted, "rbd_aio_compare_and_write", spec);
    }

    private static RbdOperation Check(RbdOperation operation, nint completion, int submitted, string call, string spec)
    {
        if (submitted < 0)
        {
            operation.Abandon(completion);
            CephException.Throw(call, -submitted, spec);
        }

        return operation;
    }
}
