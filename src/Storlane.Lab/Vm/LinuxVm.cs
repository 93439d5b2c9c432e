using System.Diagnostics;
using System.Globalization;
using Storlane.Lab.Topology;

namespace Storlane.Lab.Vm;

/// <summary>
/// A Linux guest under qemu TCG (no KVM needed) that boots this host's Debian kernel with the
/// host's root file system read-only over virtio-9p (a tmpfs overlay takes the guest's writes),
/// runs one script and powers off. Its NICs are taps in a <see cref="VmNetwork"/>. qemu is a
/// <see cref="LabProcess"/>: stopped by PID on dispose, on timeout, and when the lab is interrupted.
/// </summary>
public sealed class LinuxVm : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly LabProcess _qemu;
    private readonly VmOptions _options;
    private readonly Stopwatch _clock;

    private LinuxVm(LabProcess qemu, VmOptions options, Stopwatch clock)
    {
        _qemu = qemu;
        _options = options;
        _clock = clock;
    }

    /// <summary>The guest script's output so far (guest.log in the share).</summary>
    public string GuestLog => ReadShared(GuestStage2.LogFile);

    /// <summary>Kernel and boot messages and the script's output, as the serial console printed them.</summary>
    public string Console => ReadShared("console.log");

    /// <summary>Why a run cannot happen here (no qemu, no kernel, no busybox, not root for taps), or null when it can.</summary>
    public static string? WhyUnavailable(bool needsNetwork)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the guest VM needs Linux";
        }

        if (FindOnPath("qemu-system-x86_64") is null)
        {
            return "qemu-system-x86_64 not found: install Debian's qemu-system-x86";
        }

        if (GuestKernel.Find(out var whyNot) is null)
        {
            return whyNot;
        }

        if (!File.Exists("/bin/busybox") && !File.Exists("/usr/bin/busybox"))
        {
            return "no static busybox: install Debian's busybox-static";
        }

        if (needsNetwork && Environment.UserName != "root")
        {
            return "the guest's taps live in a network namespace, which needs root (CI runs as root)";
        }

        return null;
    }

    /// <summary>Boots the guest and starts its script; returns at once (use <see cref="WaitForLineAsync"/> and <see cref="WaitAsync"/>).</summary>
    public static async Task<LinuxVm> StartAsync(VmOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kernel = GuestKernel.Find(out var whyNot) ?? throw new VmException(whyNot);
        var initramfs = await GuestInitramfs.BuildAsync(kernel, options.CacheDirectory, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(options.ShareDirectory);
        foreach (var stale in (string[])[GuestStage2.LogFile, GuestStage2.ExitCodeFile, "console.log"])
        {
            File.Delete(Path.Combine(options.ShareDirectory, stale));
        }

        await File.WriteAllTextAsync(Path.Combine(options.ShareDirectory, "stage2.sh"), GuestStage2.Build(options.Network), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(options.ShareDirectory, GuestStage2.ScriptFile), options.Script.Replace("\r\n", "\n", StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);

        var info = new ProcessStartInfo(options.Network is null ? "qemu-system-x86_64" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (options.Network is not null)
        {
            foreach (var part in (string[])["netns", "exec", options.Network.NamespaceName, "qemu-system-x86_64"])
            {
                info.ArgumentList.Add(part);
            }
        }

        foreach (var argument in QemuArguments(options, kernel, initramfs))
        {
            info.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        return new LinuxVm(LabProcess.Start(info), options, clock);
    }

    /// <summary>Waits until the guest script printed a line containing <paramref name="marker"/>; false when the VM ended or the time ran out first.</summary>
    public async Task<bool> WaitForLineAsync(string marker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (GuestLog.Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }

            if (_qemu.Exited.IsCompleted)
            {
                return GuestLog.Contains(marker, StringComparison.Ordinal);
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Waits for the guest to power off (stopping it at the run's timeout) and returns what its script did.</summary>
    public async Task<VmResult> WaitAsync(CancellationToken cancellationToken)
    {
        var remaining = _options.Timeout - _clock.Elapsed;
        var timedOut = false;
        if (remaining <= TimeSpan.Zero || await Task.WhenAny(_qemu.Exited, Task.Delay(remaining, cancellationToken)).ConfigureAwait(false) != _qemu.Exited)
        {
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
            await _qemu.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        var rcText = ReadShared(GuestStage2.ExitCodeFile).Trim();
        int? exitCode = int.TryParse(rcText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rc) ? rc : null;
        return new VmResult(exitCode, timedOut, _clock.Elapsed, GuestLog, Console, _qemu.StandardError);
    }

    public ValueTask DisposeAsync() => new(_qemu.StopAsync(TimeSpan.FromSeconds(2)));

    private static List<string> QemuArguments(VmOptions options, GuestKernel kernel, string initramfs)
    {
        var share = Path.GetFullPath(options.ShareDirectory);
        var arguments = new List<string>
        {
            "-nodefaults", "-no-user-config", "-no-reboot",
            "-machine", "pc,accel=tcg", "-cpu", "max",
            "-smp", options.Cpus.ToString(CultureInfo.InvariantCulture),
            "-m", options.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-display", "none", "-monitor", "none",
            "-kernel", kernel.ImagePath, "-initrd", initramfs,
            // quiet + loglevel: the console carries the script's output, not every driver's.
            "-append", "console=ttyS0 quiet loglevel=4 panic=-1 net.ifnames=0 rdinit=/init",
            "-chardev", "file,id=console,path=" + Path.Combine(share, "console.log"),
            "-serial", "chardev:console",
            "-fsdev", "local,id=hostroot,path=/,security_model=none,readonly=on",
            "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=" + GuestInitramfs.RootTag,
            "-fsdev", "local,id=vmshare,path=" + share + ",security_model=none",
            "-device", "virtio-9p-pci,fsdev=vmshare,mount_tag=" + GuestInitramfs.ShareTag,
        };
        foreach (var nic in options.Network?.Nics ?? [])
        {
            var id = "n" + nic.Index.ToString(CultureInfo.InvariantCulture);
            arguments.Add("-netdev");
            arguments.Add($"tap,id={id},ifname={nic.TapName},script=no,downscript=no");
            arguments.Add("-device");
            arguments.Add($"virtio-net-pci,netdev={id},mac={nic.MacAddress}");
        }

        return arguments;
    }

    private string ReadShared(string name)
    {
        try
        {
            using var stream = new FileStream(Path.Combine(_options.ShareDirectory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return string.Empty;
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>What a guest run did: the script's exit status (null when it never finished), whether the run timed out, and its output.</summary>
public sealed record VmResult(int? ExitCode, bool TimedOut, TimeSpan Elapsed, string GuestLog, string Console, string QemuErrors)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>A failure message with the guest's log, the console's tail and qemu's errors.</summary>
    public string Describe()
    {
        var console = Console.Length > 4000 ? Console[^4000..] : Console;
        return $"guest script exit {(ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none")}{(TimedOut ? " (timed out)" : string.Empty)} after {Elapsed.TotalSeconds:0.0} s\n"
            + "--- guest.log\n" + GuestLog + "\n--- console (tail)\n" + console + "\n--- qemu stderr\n" + QemuErrors;
    }
}
