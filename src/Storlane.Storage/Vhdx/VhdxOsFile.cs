using Microsoft.Win32.SafeHandles;

namespace Storlane.Storage.Vhdx;

/// <summary>An <see cref="IVhdxFile"/> over an OS file with <see cref="RandomAccess"/> (positional, no shared file position).</summary>
internal sealed class VhdxOsFile : IVhdxFile
{
    /// <summary>Preallocation step: small enough for smooth progress and prompt cancellation.</summary>
    private const long AllocationStep = 256L * VhdxFormat.Mib;

    private readonly SafeFileHandle _handle;

    private VhdxOsFile(SafeFileHandle handle, bool canWrite, string path)
    {
        _handle = handle;
        CanWrite = canWrite;
        Path = path;
    }

    public string Path { get; }

    public bool CanWrite { get; }

    public long Length => RandomAccess.GetLength(_handle);

    public static VhdxOsFile Open(string path, bool writable)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"VHDX file '{fullPath}' does not exist", fullPath);
        }

        // A writable VHDX is ours alone: two writers would each replay and extend the log.
        var handle = File.OpenHandle(fullPath, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, writable ? FileShare.None : FileShare.Read, FileOptions.Asynchronous);
        return new VhdxOsFile(handle, writable, fullPath);
    }

    public static VhdxOsFile Create(string path, bool overwrite)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        var handle = File.OpenHandle(fullPath, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous);
        return new VhdxOsFile(handle, true, fullPath);
    }

    public async ValueTask ReadAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken = default)
    {
        while (!destination.IsEmpty)
        {
            var read = await RandomAccess.ReadAsync(_handle, destination, offset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                destination.Span.Clear();
                return;
            }

            destination = destination[read..];
            offset += read;
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> source, long offset, CancellationToken cancellationToken = default) =>
        RandomAccess.WriteAsync(_handle, source, offset, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        new(Task.Run(() => RandomAccess.FlushToDisk(_handle), cancellationToken));

    public void SetLength(long length) => RandomAccess.SetLength(_handle, length);

    public async ValueTask AllocateAsync(long offset, long length, IProgress<long>? progress, CancellationToken cancellationToken = default)
    {
        var end = offset + length;
        if (Length < end)
        {
            SetLength(end);
        }

        // fallocate reserves real extents (reads stay zero) without writing data, in steps so a
        // multi-terabyte fixed disk reports progress and can be cancelled.
        var done = 0L;
        while (done < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = Math.Min(AllocationStep, length - done);
            var reserved = await Task.Run(() => FileSpace.TryReserve(_handle, offset + done, step), cancellationToken).ConfigureAwait(false);
            if (!reserved)
            {
                // The file system cannot reserve: the file stays sparse, which reads the same.
                progress?.Report(length);
                return;
            }

            done += step;
            progress?.Report(done);
        }
    }

    public void Dispose() => _handle.Dispose();
}
