using System.Net;
using Storlane.Target.Portals;

namespace Storlane.Benchmarks;

/// <summary>
/// The loopback address, never changing: the benchmark's target does not poll the OS's interfaces
/// (reading /proc every 2 s allocates, which would count against the hot path it measures).
/// </summary>
internal sealed class FixedAddressSource : ILocalAddressSource
{
    private static readonly LocalAddress[] Loopback = [new LocalAddress(IPAddress.Loopback, "lo")];

    public event Action? Changed
    {
        add { }
        remove { }
    }

    public IReadOnlyList<LocalAddress> GetAddresses() => Loopback;

    public void Dispose()
    {
    }
}
