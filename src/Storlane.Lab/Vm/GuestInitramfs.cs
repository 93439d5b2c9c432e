using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Storlane.Lab.Topology;
using Storlane.Lab.Topology.Namespaces;

namespace Storlane.Lab.Vm;

/// <summary>
/// The guest's initramfs: a static busybox, the modules that mount the root (virtio PCI, 9p over
/// virtio, overlayfs) and an /init that mounts the host's root read-only over 9p with a tmpfs
/// overlay, mounts the run's shared folder, and switches to it (the "virtme" approach). Everything
/// else the guest needs (iscsid, multipathd, fio, the other modules) comes from the host's root.
/// Built once per kernel and cached; the file name carries a hash of its inputs.
/// </summary>
public static class GuestInitramfs
{
    /// <summary>The 9p tag of the host's root and of the run's shared folder.</summary>
    public const string RootTag = "hostroot";

    public const string ShareTag = "vmshare";

    /// <summary>Where the shared folder appears in the guest.</summary>
    public const string ShareMountPoint = "/storlane-vm";

    private static readonly string[] RootModules = ["virtio_pci", "virtio_net", "9pnet_virtio", "9p", "overlay"];

    private static readonly string[] BusyboxPaths = ["/bin/busybox", "/usr/bin/busybox"];

    /// <summary>Stage 1, PID 1 until switch_root: busybox ash. Stage 2 is the shared folder's stage2.sh.</summary>
    private const string Init = """
        #!/bin/busybox sh
        /bin/busybox --install -s /bin
        mount -t proc proc /proc
        mount -t sysfs sysfs /sys
        mount -t devtmpfs devtmpfs /dev
        while read -r module; do insmod "$module" || echo "storlane-vm: insmod $module failed"; done < /modules.order
        mkdir -p /lower /rw /newroot
        opts=trans=virtio,version=9p2000.L,msize=524288
        mount -t 9p -o "$opts,ro,cache=loose" hostroot /lower || { echo "storlane-vm: cannot mount the host root"; poweroff -f; }
        mount -t tmpfs -o size=75% tmpfs /rw
        mkdir -p /rw/upper /rw/work
        mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || { echo "storlane-vm: overlay failed"; poweroff -f; }
        mkdir -p /newroot/storlane-vm
        mount -t 9p -o "$opts" vmshare /newroot/storlane-vm || { echo "storlane-vm: cannot mount the share"; poweroff -f; }
        mount --move /proc /newroot/proc
        mount --move /sys /newroot/sys
        mount --move /dev /newroot/dev
        exec switch_root /newroot /bin/sh /storlane-vm/stage2.sh
        """;

    /// <summary>Returns the cached initramfs for <paramref name="kernel"/>, building it in <paramref name="cacheDirectory"/> when missing.</summary>
    public static async Task<string> BuildAsync(GuestKernel kernel, string cacheDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var busybox = Array.Find(BusyboxPaths, File.Exists)
            ?? throw new VmException("no static busybox: install Debian's busybox-static");
        var modules = await ModulesWithDependenciesAsync(kernel, cancellationToken).ConfigureAwait(false);
        var key = Hash(kernel.Version + "\n" + Init + "\n" + string.Join('\n', modules) + "\n" + new FileInfo(busybox).Length);
        Directory.CreateDirectory(cacheDirectory);
        var path = Path.Combine(cacheDirectory, $"initramfs-{kernel.Version}-{key}.cpio.gz");
        if (File.Exists(path))
        {
            return path;
        }

        var partial = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".partial";
        await using (var file = File.Create(partial))
        {
            using var archive = new CpioArchive(file);
            foreach (var directory in (string[])["bin", "dev", "proc", "sys", "lib", "lib/modules"])
            {
                archive.AddDirectory(directory);
            }

            archive.AddFile("bin/busybox", await File.ReadAllBytesAsync(busybox, cancellationToken).ConfigureAwait(false), executable: true);
            archive.AddSymlink("bin/sh", "busybox");
            archive.AddFile("init", Encoding.ASCII.GetBytes(Init.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n"), executable: true);
            var order = new StringBuilder();
            foreach (var module in modules)
            {
                var name = "lib/modules/" + Path.GetFileName(module);
                archive.AddFile(name, await File.ReadAllBytesAsync(module, cancellationToken).ConfigureAwait(false), executable: false);
                order.Append('/').Append(name).Append('\n');
            }

            archive.AddFile("modules.order", Encoding.ASCII.GetBytes(order.ToString()), executable: false);
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>The module files of <see cref="RootModules"/> and what they depend on, dependencies first, each once.</summary>
    private static async Task<List<string>> ModulesWithDependenciesAsync(GuestKernel kernel, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        foreach (var module in RootModules)
        {
            string output;
            try
            {
                output = await HostCommand.RunAsync("modprobe", ["-S", kernel.Version, "--show-depends", module], cancellationToken).ConfigureAwait(false);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new VmException($"cannot start modprobe (install Debian's kmod): {e.Message}", e);
            }
            catch (LabTopologyException e)
            {
                throw new VmException(e.Message, e);
            }

            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // "insmod /lib/modules/VER/kernel/...ko [options]"; "builtin NAME" needs nothing.
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && parts[0] == "insmod" && !files.Contains(parts[1]))
                {
                    if (!parts[1].EndsWith(".ko", StringComparison.Ordinal))
                    {
                        throw new VmException($"module {parts[1]} is compressed; only plain .ko files are supported");
                    }

                    files.Add(parts[1]);
                }
            }
        }

        return files;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
