using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    private readonly ILogger _logger;
    private bool _failing;

    public SystemLocalAddressSource(TimeSpan? pollInterval = null, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        var interval = pollInterval ?? TimeSpan.FromSeconds(2);
        NetworkChange.NetworkAddressChanged += OnNetworkAddressChanged;
        _lastFingerprint = Fingerprint(GetAddresses());
        _poll = new Timer(_ => RaiseIfChanged(), null, interval, interval);
    }

    public event Action? Changed;

    /// <exception cref="IOException">
    /// The addresses could not be read (out of file descriptors, /proc unreadable). Thrown rather
    /// than answering a partial list, which would close the listeners of the addresses it missed.
    /// </exception>
    public IReadOnlyList<LocalAddress> GetAddresses()
    {
        var result = new List<LocalAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                // A NIC that is administratively down still has its addresses configured; binding
                // them works, and initiators reach them again as soon as the link returns.
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                    {
                        result.Add(new LocalAddress(unicast.Address, nic.Name));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is NetworkInformationException or IOException or UnauthorizedAccessException)
        {
            throw new IOException("cannot read the host's network addresses: " + ex.Message, ex);
        }

        return result;
    }

    private void OnNetworkAddressChanged(object? sender, EventArgs e) => RaiseIfChanged();

    /// <summary>
    /// Runs on a timer thread and on the OS's change event, where an exception ends the process: a
    /// failure to read the addresses (e.g. "Too many open files" reading /proc/net/route) is
    /// skipped, and the next poll tries again.
    /// </summary>
    private void RaiseIfChanged()
    {
        try
        {
            RaiseIfChangedCore();
            _failing = false;
        }
        catch (Exception ex)
        {
            // Logged once per run of failures, not every poll.
            if (!_failing)
            {
                _failing = true;
                TargetLog.AddressWatchFailed(_logger, ex);
            }
        }
    }

    private void RaiseIfChangedCore()
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
