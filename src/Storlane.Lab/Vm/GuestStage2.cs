using System.Text;

namespace Storlane.Lab.Vm;

/// <summary>
/// Stage 2 of the guest's boot, run by the host's /bin/sh after switch_root: the file systems a
/// Debian userland expects, the NICs' addresses, then the run's script with its output in
/// guest.log and its exit status in guest.rc, then power-off (sysrq: no init system to ask).
/// </summary>
internal static class GuestStage2
{
    public const string ScriptFile = "guest.sh";

    public const string LogFile = "guest.log";

    public const string ExitCodeFile = "guest.rc";

    public static string Build(VmNetwork? network)
    {
        var text = new StringBuilder();
        text.Append("""
            #!/bin/sh
            export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
            mkdir -p /dev/pts /dev/shm
            mount -t devpts devpts /dev/pts
            mount -t tmpfs tmpfs /dev/shm
            mount -t tmpfs tmpfs /run
            mkdir -p /run/lock
            mount -t tmpfs tmpfs /tmp
            hostname storlane-vm
            ip link set lo up

            """);
        foreach (var nic in network?.Nics ?? [])
        {
            text.Append("ip addr add ").Append(nic.GuestAddress).Append("/24 dev ").Append(nic.GuestDevice).Append('\n');
            text.Append("ip link set ").Append(nic.GuestDevice).Append(" up\n");
        }

        text.Append($$"""
            cd {{GuestInitramfs.ShareMountPoint}}
            echo "storlane-vm: running {{ScriptFile}}"
            { sh ./{{ScriptFile}}; echo $? > ./{{ExitCodeFile}}; } 2>&1 | tee ./{{LogFile}}
            sync
            echo o > /proc/sysrq-trigger
            sleep 30

            """);
        return text.ToString();
    }
}
