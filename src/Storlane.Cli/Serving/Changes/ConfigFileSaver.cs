using System.Text;
using Storlane.Storage;

namespace Storlane.Cli.Serving.Changes;

/// <summary>
/// Saves the running config over its file so a restart serves what runs now (targetcli's saveconfig):
/// the previous file goes to FILE.bak first, then the new text replaces FILE atomically
/// (<see cref="DurableFile"/>: a crash leaves the old file or the new, never a mix). Both keep the
/// file's permissions: a config holds CHAP secrets.
/// </summary>
internal static class ConfigFileSaver
{
    public static string BackupPath(string path) => path + ".bak";

    /// <exception cref="IOException">The file or its backup cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Not allowed to write them.</exception>
    public static void Save(string path, string yaml, string previous)
    {
        var mode = OperatingSystem.IsWindows() ? (UnixFileMode?)null : File.GetUnixFileMode(path);

        // Written owner-only, then opened up to the original mode: never more open than the file was.
        DurableFile.Replace(BackupPath(path), Encoding.UTF8.GetBytes(previous), ownerOnly: true);
        DurableFile.Replace(path, Encoding.UTF8.GetBytes(yaml), ownerOnly: true);
        if (mode is { } original && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(BackupPath(path), original);
            File.SetUnixFileMode(path, original);
        }
    }
}
