namespace Storlane.Lab.Topology;

/// <summary>
/// The hardware model of one lab run: server NICs, storage ports and how they are wired.
/// Meshed=false ("pathing"): server NIC i is wired to storage port i, one subnet per pair
/// (ServerNics == StoragePorts). Meshed=true ("meshing"): every NIC and port on one shared subnet
/// through a switch; each NIC and each port is its own rate-limited link.
/// </summary>
public sealed record LabTopologySpec(string Name, int ServerNics, int StoragePorts, bool Meshed, long LinkBitsPerSecond = 1_000_000_000)
{
    /// <summary>Most NICs or ports a topology has (interface names and address plans assume fewer than 100).</summary>
    public const int MaxInterfaces = 16;

    /// <summary>Lowest link rate: below it tbf's and the relays' bursts dominate the measurement.</summary>
    public const long MinLinkBitsPerSecond = 1_000_000;

    /// <summary>Throws <see cref="ArgumentException"/> with a clear message when the spec cannot be built.</summary>
    public void Validate()
    {
        if (ServerNics < 1 || ServerNics > MaxInterfaces)
        {
            throw new ArgumentException($"ServerNics must be 1 to {MaxInterfaces}, got {ServerNics}");
        }

        if (StoragePorts < 1 || StoragePorts > MaxInterfaces)
        {
            throw new ArgumentException($"StoragePorts must be 1 to {MaxInterfaces}, got {StoragePorts}");
        }

        if (!Meshed && ServerNics != StoragePorts)
        {
            throw new ArgumentException($"pathing wires NIC i to port i, so ServerNics ({ServerNics}) must equal StoragePorts ({StoragePorts}); use Meshed for other shapes");
        }

        if (LinkBitsPerSecond < MinLinkBitsPerSecond)
        {
            throw new ArgumentException($"LinkBitsPerSecond must be at least {MinLinkBitsPerSecond}, got {LinkBitsPerSecond}");
        }
    }

    /// <summary>"1 Gbit/s", "200 Mbit/s": the rate as reports write it.</summary>
    public string RateText => LinkRate.Format(LinkBitsPerSecond);
}
