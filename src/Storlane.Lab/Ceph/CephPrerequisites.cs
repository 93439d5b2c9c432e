namespace Storlane.Lab.Ceph;

/// <summary>
/// What a <see cref="SingleNodeCeph"/> needs from the machine: root (the daemons and tgt-rbd are
/// run as root, as Debian packages them) and the Debian packages that ship each binary. The answer
/// names what is missing so a skipped test or a failed start says what to install.
/// </summary>
public static class CephPrerequisites
{
    /// <summary>Each binary the cluster runs, and the Debian package that ships it.</summary>
    public static readonly IReadOnlyList<(string Binary, string Package)> Binaries =
    [
        ("ceph-mon", "ceph-mon"),
        ("ceph-osd", "ceph-osd"),
        ("ceph-mgr", "ceph-mgr"),
        ("ceph", "ceph-common"),
        ("rbd", "ceph-common"),
    ];

    /// <summary>The client libraries the rbd backend loads.</summary>
    public static readonly IReadOnlyList<(string Library, string Package)> Libraries =
    [
        ("librados.so.2", "librados2"),
        ("librbd.so.1", "librbd1"),
    ];

    /// <summary>Every package a single-node cluster and the rbd backend need, for messages.</summary>
    public const string PackageList = "ceph-mon ceph-osd ceph-mgr ceph-common librbd1 librados2";

    /// <summary>Null when a cluster can start here; otherwise why not, naming the missing packages.</summary>
    public static string? UnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "a single-node Ceph needs Linux with the Debian packages " + PackageList;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "a single-node Ceph needs root (its daemons run as root); packages: " + PackageList;
        }

        var missing = new List<string>();
        foreach (var (binary, package) in Binaries)
        {
            if (FindExecutable(binary) is null && !missing.Contains(package))
            {
                missing.Add(package);
            }
        }

        foreach (var (library, package) in Libraries)
        {
            if (!LibraryExists(library) && !missing.Contains(package))
            {
                missing.Add(package);
            }
        }

        return missing.Count == 0
            ? null
            : "a single-node Ceph needs the Debian packages " + string.Join(' ', missing) + " (apt-get install " + string.Join(' ', missing) + ")";
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindExecutable(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool LibraryExists(string name)
    {
        string[] directories = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/usr/local/lib"];
        foreach (var directory in directories)
        {
            if (File.Exists(Path.Combine(directory, name)))
            {
                return true;
            }
        }

        return false;
    }
}
