using System.Net;
using Storlane.Target.Portals;

namespace Storlane.Target.Tests.Portals;

/// <summary>A host whose addresses the test sets (all of them loopback addresses, so sockets really bind).</summary>
internal sealed class FakeAddressSource : ILocalAddressSource
{
    private readonly Lock _lock = new();
    private List<LocalAddress> _addresses = [];

    public FakeAddressSource(params string[] addresses)
    {
        Set(addresses);
    }

    public event Action? Changed;

    public IReadOnlyList<LocalAddress> GetAddresses()
    {
        lock (_lock)
        {
            return [.. _addresses];
        }
    }

    /// <summary>Replaces the host's addresses ("ip" or "ip%interface") and signals the change, as netlink would.</summary>
    public void Set(params string[] addresses)
    {
        var parsed = new List<LocalAddress>();
        foreach (var text in addresses)
        {
            var parts = text.Split('%');
            parsed.Add(new LocalAddress(IPAddress.Parse(parts[0]), parts.Length > 1 ? parts[1] : "lo"));
        }

        lock (_lock)
        {
            _addresses = parsed;
        }

        Changed?.Invoke();
    }

    public void Dispose()
    {
    }
}
