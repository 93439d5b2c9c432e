using System.Globalization;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Lab.Vm;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>
/// One kernel-initiator scene: a network namespace with a tap per guest NIC, a target (storlane
/// serve, or a peer) listening there on the taps' host addresses 10.231.N.1, and a Linux guest that
/// runs one of the scripts in Kernel/Guest with lib.sh. Everything started is stopped by PID and the
/// namespace is deleted on dispose.
/// </summary>
internal sealed class KernelRig : IAsyncDisposable
{
    private StorlaneServer? _target;

    private KernelRig(VmNetwork network, string folder)
    {
        Network = network;
        Folder = folder;
    }

    public VmNetwork Network { get; }

    /// <summary>The scene's folder: config, LUN files (data/) and the guest's share (vm/).</summary>
    public string Folder { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public string ConfigPath => Path.Combine(Folder, "storlane.yaml");

    public string ShareDirectory => Path.Combine(Folder, "vm");

    public StorlaneServer Target => _target ?? throw new InvalidOperationException("no Storlane target was started");

    public string TargetLog => _target?.Log ?? string.Empty;

    public static async Task<KernelRig> CreateAsync(int nics, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("storlane-kernel-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        var network = await VmNetwork.CreateAsync(nics, cancellationToken);
        return new KernelRig(network, folder);
    }

    /// <summary>Writes <paramref name="yaml"/> as the config and starts storlane serve inside the namespace.</summary>
    public async Task StartStorlaneAsync(string yaml)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml);
        await StartStorlaneAsync();
    }

    /// <summary>Starts storlane serve on the config already written (again, after <see cref="StopStorlaneAsync"/>).</summary>
    public async Task StartStorlaneAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        _target = await StorlaneServer.StartAsync(ConfigPath, DataDirectory, Folder, Network.Launcher);
    }

    /// <summary>SIGTERM, as an administrator's restart would; returns its exit code.</summary>
    public Task<int> StopStorlaneAsync() => Target.StopAsync();

    /// <summary>Boots the guest with <paramref name="script"/> (a file in Kernel/Guest) after lib.sh, with <paramref name="variables"/> exported first.</summary>
    public async Task<LinuxVm> BootAsync(string script, IReadOnlyDictionary<string, string>? variables, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(ShareDirectory);
        foreach (var stale in Directory.GetFiles(ShareDirectory, "checkpoint.*"))
        {
            File.Delete(stale);
        }

        var guestFolder = Path.Combine(AppContext.BaseDirectory, "Kernel", "Guest");
        File.Copy(Path.Combine(guestFolder, "lib.sh"), Path.Combine(ShareDirectory, "lib.sh"), overwrite: true);
        var text = new System.Text.StringBuilder();
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            text.Append("export ").Append(name).Append("='").Append(value.Replace("'", "'\\''", StringComparison.Ordinal)).Append("'\n");
        }

        text.Append(await File.ReadAllTextAsync(Path.Combine(guestFolder, script), cancellationToken));
        return await LinuxVm.StartAsync(
            new VmOptions
            {
                Script = text.ToString(),
                ShareDirectory = ShareDirectory,
                CacheDirectory = KernelTestFolders.Cache,
                Network = Network,
                Timeout = timeout,
            },
            cancellationToken);
    }

    /// <summary>Waits for the guest's CHECKPOINT <paramref name="name"/> line; fails with the guest's log when it never comes.</summary>
    public async Task ReachedAsync(LinuxVm vm, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await vm.WaitForLineAsync("CHECKPOINT " + name, timeout, cancellationToken))
        {
            Assert.Fail($"the guest never reached checkpoint {name}:\n{vm.GuestLog}\n--- console\n{vm.Console}\n--- target\n{TargetLog}");
        }
    }

    /// <summary>Waits for the guest to power off and returns its RESULT lines; fails with the guest's and the target's logs unless its script exited 0.</summary>
    public async Task<GuestResults> FinishAsync(LinuxVm vm, CancellationToken cancellationToken)
    {
        var run = await vm.WaitAsync(cancellationToken);
        Assert.True(run.Succeeded, run.Describe() + "\n--- target\n" + TargetLog);
        return new GuestResults(run);
    }

    /// <summary>Lets the guest go on past its checkpoint <paramref name="name"/>.</summary>
    public Task AnswerAsync(string name) => File.WriteAllTextAsync(Path.Combine(ShareDirectory, "checkpoint." + name), string.Empty);

    /// <summary>Bytes the file system allocated to a LUN file (st_blocks x 512): what UNMAP gave back shows here.</summary>
    public async Task<long> AllocatedBytesAsync(string lunFile)
    {
        var stat = await CommandRunner.RunAsync("stat", ["-c", "%b %B", Path.Combine(DataDirectory, lunFile)]);
        TestData.AssertSucceeded(stat);
        var parts = stat.Output.Trim().Split(' ');
        return long.Parse(parts[0], CultureInfo.InvariantCulture) * long.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        await Network.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a process being reaped; the temp folder is cleared later.
        }
    }
}
