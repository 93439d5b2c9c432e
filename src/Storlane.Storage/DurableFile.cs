namespace Storlane.Storage;

/// <summary>
/// Small state files kept beside an image (a LUN's key, its persistent reservations, an interrupted
/// SANITIZE), replaced so that a crash leaves the old content or the new, never a mix: write a
/// temporary file, flush it to the medium, rename it over the old one, then flush the directory,
/// since on POSIX the rename itself is durable only once the directory entry is.
/// </summary>
public static class DurableFile
{
    /// <summary>Writes <paramref name="content"/> as the whole of <paramref name="path"/>, creating its folder if needed.</summary>
    /// <param name="ownerOnly">Create the file readable and writable by its owner only (a key).</param>
    public static void Replace(string path, ReadOnlySpan<byte> content, bool ownerOnly = false)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
        FlushDirectory(full);
    }

    /// <summary>Removes <paramref name="path"/> (if it is there) and makes the removal durable.</summary>
    public static void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return;
        }

        File.Delete(full);
        FlushDirectory(full);
    }

    private static void FlushDirectory(string file)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var directory = File.OpenHandle(Path.GetDirectoryName(file)!, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(directory);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Some file systems refuse to open a directory for fsync; the rename is still atomic.
        }
    }
}
