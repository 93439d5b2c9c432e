namespace Storlane.Lab.Vm;

/// <summary>What one guest run boots with and runs.</summary>
public sealed record VmOptions
{
    /// <summary>The guest's script, run by /bin/sh (the host's dash) as root in the shared folder; its exit status is the run's.</summary>
    public required string Script { get; init; }

    /// <summary>The run's folder: shared with the guest read-write at /storlane-vm; holds the script, its log and the console log.</summary>
    public required string ShareDirectory { get; init; }

    /// <summary>Where the initramfs is cached between runs.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>The taps the guest's NICs attach to, in order (eth0, eth1, ...); null: no NIC.</summary>
    public VmNetwork? Network { get; init; }

    /// <summary>Guest RAM in MiB.</summary>
    public int MemoryMiB { get; init; } = 1024;

    /// <summary>Guest CPUs; under TCG each is a host thread.</summary>
    public int Cpus { get; init; } = 1;

    /// <summary>How long boot and script together may take before the VM is stopped.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}
