namespace Storlane.Lab.Vm;

/// <summary>
/// The kernel a guest boots: Debian's <c>linux-image-amd64</c> installed on this host, whose modules
/// the guest loads from the host's own <c>/lib/modules</c> (the guest's root is the host's, over 9p).
/// </summary>
public sealed record GuestKernel(string Version, string ImagePath, string ModulesDirectory)
{
    /// <summary>The newest kernel in /boot that has its modules installed, or null with the reason.</summary>
    public static GuestKernel? Find(out string whyNot) => Find("/boot", "/lib/modules", out whyNot);

    internal static GuestKernel? Find(string bootDirectory, string modulesRoot, out string whyNot)
    {
        if (!Directory.Exists(bootDirectory))
        {
            whyNot = $"no {bootDirectory}: install Debian's linux-image-amd64";
            return null;
        }

        var images = Directory.GetFiles(bootDirectory, "vmlinuz-*");
        Array.Sort(images, StringComparer.Ordinal);
        for (var i = images.Length - 1; i >= 0; i--)
        {
            var version = Path.GetFileName(images[i])["vmlinuz-".Length..];
            var modules = Path.Combine(modulesRoot, version);
            if (Directory.Exists(Path.Combine(modules, "kernel")))
            {
                whyNot = string.Empty;
                return new GuestKernel(version, images[i], modules);
            }
        }

        whyNot = images.Length == 0
            ? $"no kernel image in {bootDirectory}: install Debian's linux-image-amd64"
            : $"no modules in {modulesRoot} for {string.Join(", ", images)}";
        return null;
    }
}
