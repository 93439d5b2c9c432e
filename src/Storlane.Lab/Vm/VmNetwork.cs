using System.Globalization;
using Storlane.Lab.Topology;
using Storlane.Lab.Topology.Namespaces;

namespace Storlane.Lab.Vm;

/// <summary>
/// A network namespace holding one tap device per guest NIC, each the host end of its own /24
/// (10.231.N.1 here, 10.231.N.2 in the guest), so a target started in the namespace listens on
/// addresses the guest reaches as they are, and a cable is pulled by downing a tap. qemu runs in the
/// namespace too. Disposing kills what still runs inside (by PID) and deletes the namespace, taps
/// with it; a run killed before that is swept by the next one (the name carries the owner's PID).
/// </summary>
public sealed class VmNetwork : IAsyncDisposable, IEmergencyCleanup
{
    /// <summary>Sequences start here so names never meet the lab topologies' (same prefix, same sweeper).</summary>
    private const int FirstSequence = 10_000;

    private static int _sequence = FirstSequence;

    private readonly Lock _removal = new();
    private bool _removed;

    private VmNetwork(string namespaceName, IReadOnlyList<VmNic> nics)
    {
        NamespaceName = namespaceName;
        Nics = nics;
    }

    public string NamespaceName { get; }

    public IReadOnlyList<VmNic> Nics { get; }

    /// <summary>The command prefix that runs a program inside the namespace (it execs, so the PID is the program's).</summary>
    public IReadOnlyList<string> Launcher => ["ip", "netns", "exec", NamespaceName];

    /// <summary>Creates the namespace and <paramref name="nicCount"/> taps, up, with their host addresses.</summary>
    public static async Task<VmNetwork> CreateAsync(int nicCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nicCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nicCount, 8);
        await LeftoverSweeper.SweepAsync(cancellationToken).ConfigureAwait(false);
        var sequence = Interlocked.Increment(ref _sequence);
        var name = NameFor(Environment.ProcessId, sequence);
        var nics = new VmNic[nicCount];
        for (var i = 0; i < nicCount; i++)
        {
            var subnet = "10.231." + Number(i + 1) + ".";
            nics[i] = new VmNic(i, "slvt" + Number(i), subnet + "1", subnet + "2", "52:54:00:5e:10:" + (i + 1).ToString("x2", CultureInfo.InvariantCulture));
        }

        var network = new VmNetwork(name, nics);
        LabCleanup.Track(network);
        try
        {
            await HostCommand.RunAsync("ip", ["netns", "add", name], cancellationToken).ConfigureAwait(false);
            await Ip(name, ["link", "set", "lo", "up"], cancellationToken).ConfigureAwait(false);
            foreach (var nic in nics)
            {
                await Ip(name, ["tuntap", "add", "dev", nic.TapName, "mode", "tap"], cancellationToken).ConfigureAwait(false);
                await Ip(name, ["addr", "add", nic.HostAddress + "/24", "dev", nic.TapName], cancellationToken).ConfigureAwait(false);
                await Ip(name, ["link", "set", nic.TapName, "up"], cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return network;
    }

    /// <summary>
    /// Pulls (<paramref name="up"/> false) or plugs back a NIC's cable: the tap goes down, so
    /// nothing crosses in either direction and neither end is told, as with a cable pulled at a
    /// switch. The guest's TCP connections stall until its own timers notice.
    /// </summary>
    public async Task SetLinkAsync(int nic, bool up, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nic);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(nic, Nics.Count);
        var tap = Nics[nic];
        await Ip(NamespaceName, ["link", "set", tap.TapName, up ? "up" : "down"], cancellationToken).ConfigureAwait(false);
        if (up)
        {
            await Ip(NamespaceName, ["addr", "replace", tap.HostAddress + "/24", "dev", tap.TapName], cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.Run(Remove).ConfigureAwait(false);
        LabCleanup.Untrack(this);
    }

    void IEmergencyCleanup.CleanupNow() => Remove();

    private void Remove()
    {
        lock (_removal)
        {
            if (!_removed)
            {
                LeftoverSweeper.Remove(NamespaceName);
                _removed = true;
            }
        }
    }

    /// <summary>The lab's namespace name shape (prefix, owner PID, sequence, "s"), which the leftover sweep recognises.</summary>
    internal static string NameFor(int ownerPid, int sequence) => NamespacePlan.Prefix + Number(ownerPid) + "n" + Number(sequence) + "s";

    private static Task<string> Ip(string namespaceName, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        HostCommand.RunAsync("ip", ["-n", namespaceName, .. arguments], cancellationToken);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One guest NIC: eth<see cref="Index"/> in the guest (net.ifnames=0), its tap on the host side.</summary>
public sealed record VmNic(int Index, string TapName, string HostAddress, string GuestAddress, string MacAddress)
{
    public string GuestDevice => "eth" + Index.ToString(CultureInfo.InvariantCulture);
}
