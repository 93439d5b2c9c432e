using Microsoft.Win32.SafeHandles;

namespace Storlane.Bench.Targets;

/// <summary>
/// A local file or block device read and written with <see cref="RandomAccess"/>. With O_DIRECT
/// (Linux) offsets, lengths and buffers are 4096-aligned, which every Linux file system accepts.
/// </summary>
public sealed class FileBenchTarget : IBenchTarget
{
    /// <summary>4096 satisfies O_DIRECT on 512-byte and 4K devices alike.</summary>
    private const int DirectBlockSize = 4096;
    private const int BufferedBlockSize = 512;

    private readonly SafeFileHandle _handle;

    private FileBenchTarget(SafeFileHandle handle, BenchTargetInfo info)
    {
        _handle = handle;
        Info = info;
        BufferAlignment = info.DirectIo ? DirectBlockSize : 1;
    }

    public BenchTargetInfo Info { get; }

    public int BufferAlignment { get; }

    /// <summary>Opens <paramref name="path"/>; a missing file is created with <paramref name="createSize"/> bytes when that is given.</summary>
    public static FileBenchTarget Open(string path, long? createSize, bool direct)
    {
        var created = !File.Exists(path);
        if (created && createSize is null)
        {
            throw new FileNotFoundException($"'{path}' does not exist; give a size to create it (file:{path},size=1GiB)", path);
        }

        var handle = File.OpenHandle(path, createSize is null ? FileMode.Open : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.Asynchronous);
        try
        {
            if (createSize is { } size && RandomAccess.GetLength(handle) < size)
            {
                RandomAccess.SetLength(handle, size);
            }

            var directIo = direct && DirectIo.TryEnable(handle);
            var blockSize = directIo ? DirectBlockSize : BufferedBlockSize;
            var length = DirectIo.GetLength(handle) / blockSize * blockSize;
            if (length == 0)
            {
                throw new IOException($"'{path}' is empty (or smaller than one {blockSize}-byte block)");
            }

            var info = new BenchTargetInfo
            {
                Spec = "file:" + path,
                Kind = path.StartsWith("/dev/", StringComparison.Ordinal) ? "block-device" : "file",
                LogicalBlockSize = blockSize,
                PhysicalBlockSize = DirectBlockSize,
                BlockCount = length / blockSize,
                DirectIo = directIo,
                CreatedByBench = created,
            };
            return new FileBenchTarget(handle, info);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken) =>
        ReadFullyAsync(offset, destination, cancellationToken);

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> source, CancellationToken cancellationToken) =>
        RandomAccess.WriteAsync(_handle, source, offset, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        RandomAccess.FlushToDisk(_handle);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask ReadFullyAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            var read = await RandomAccess.ReadAsync(_handle, destination, offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"read past the end of {Info.Spec} at offset {offset}");
            }

            destination = destination[read..];
            offset += read;
        }
    }
}
