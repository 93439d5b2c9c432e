namespace Storlane.Target.Connections;

/// <summary>
/// How many connections the process's file-descriptor limit leaves room for. Running out of
/// descriptors is worse than refusing connections: the runtime itself needs them (the JIT maps
/// code through a memory file descriptor and aborts the process with "Out of memory" when it
/// cannot get one), so connections stop well before the limit.
/// </summary>
internal static class DescriptorLimit
{
    /// <summary>Descriptors kept free for the runtime's later needs (threads, JIT, assemblies loaded late): an eighth of the limit, at least 64.</summary>
    public static long Reserve(long limit) => Math.Max(64, limit / 8);

    /// <summary>
    /// The connections the limit allows besides what is open already (a .NET process holds about
    /// a hundred descriptors before its first connection) and the reserve; at least 1. Null when
    /// the limit is unknown.
    /// </summary>
    public static int? ConnectionsAllowed(long? openFilesLimit, long inUse) =>
        openFilesLimit is { } limit ? (int)Math.Clamp(limit - inUse - Reserve(limit), 1, int.MaxValue) : null;

    /// <summary>Descriptors this process has open now; 0 where /proc/self/fd cannot be read.</summary>
    public static int CountOpen()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The soft "Max open files" limit from /proc/self/limits; null where that cannot be read (not Linux).</summary>
    public static long? ReadOpenFilesLimit(string path = "/proc/self/limits")
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 0 && long.TryParse(fields[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var soft) ? soft : null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
