using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Storlane.Target.Portals;

/// <summary>
/// Interface addresses from the OS. Linux reports changes through netlink
/// (NetworkChange.NetworkAddressChanged); a slow poll backs it up, because an address event can be
/// missed (e.g. when the netlink socket overflows) and a missed event must not leave a portal dark.
/// </summary>
public sealed class SystemLocalAddressSource : ILocalAddressSource
{
    private readonly Timer _poll;
    private readonly Lock _lock = new();
    private string _lastFingerprint = "";

    public SystemLocalAddressSource(TimeSpan? pollInterval = null)
    {
        var interval = pollInterval ?? TimeSpan.FromSeconds(2);
        NetworkChange.NetworkAddressChanged += OnNetworkAddressChanged;
        _lastFingerprint = Fingerprint(GetAddresses());
        _poll = new Timer(_ => RaiseIfChanged(), null, interval, interval);
    }

    public event Action? Changed;

    public IReadOnlyList<LocalAddress> GetAddresses()
    {
        var result = new List<LocalAddress>();
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return result;
        }

        foreach (var nic in interfaces)
        {
            // A NIC that is administratively down still has its addresses configured; binding them
            // works, and initiators reach them again as soon as the link returns.
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                {
                    result.Add(new LocalAddress(unicast.Address, nic.Name));
                }
            }
        }

        return result;
    }

    private void OnNetworkAddressChanged(object? sender, EventArgs e) => RaiseIfChanged();

    private void RaiseIfChanged()
    {
        var fingerprint = Fingerprint(GetAddresses());
        lock (_lock)
        {
            if (fingerprint == _lastFingerprint)
            {
                return;
            }

            _lastFingerprint = fingerprint;
        }

        Changed?.Invoke();
    }

    private static string Fingerprint(IReadOnlyList<LocalAddress> addresses)
    {
        var parts = new List<string>(addresses.Count);
        foreach (var address in addresses)
        {
            parts.Add(address.InterfaceName + "/" + address.Address);
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(",", parts);
    }

    public void Dispose()
    {
        NetworkChange.NetworkAddressChanged -= OnNetworkAddressChanged;
        _poll.Dispose();
    }
}
