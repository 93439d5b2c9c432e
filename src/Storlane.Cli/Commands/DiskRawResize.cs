namespace Storlane.Cli.Commands;

/// <summary>Resizes a raw disk file: growing adds a sparse hole; shrinking refuses to drop non-zero bytes unless allowed.</summary>
internal static class DiskRawResize
{
    private const int ScanChunk = 1 << 20;

    /// <returns>The old size, and whether non-zero data past the new end was dropped.</returns>
    public static async Task<(long OldSize, bool Dropped)> ResizeAsync(string path, long newSize, bool allowShrink, CancellationToken cancellationToken)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, FileOptions.Asynchronous);
        var oldSize = RandomAccess.GetLength(handle);
        var dropped = newSize < oldSize && await HasDataAsync(handle, newSize, oldSize, cancellationToken);
        if (dropped && !allowShrink)
        {
            throw new Storlane.Storage.Vhdx.VhdxShrinkRefusedException($"{path}: non-zero data lies between {newSize} and {oldSize}; nothing was changed");
        }

        RandomAccess.SetLength(handle, newSize);
        RandomAccess.FlushToDisk(handle);
        return (oldSize, dropped);
    }

    private static async Task<bool> HasDataAsync(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long from, long to, CancellationToken cancellationToken)
    {
        var buffer = new byte[ScanChunk];
        for (var offset = from; offset < to; offset += ScanChunk)
        {
            var length = (int)Math.Min(ScanChunk, to - offset);
            var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, length), offset, cancellationToken);
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                return true;
            }
        }

        return false;
    }
}
