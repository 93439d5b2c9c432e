namespace Storlane.Target.Portals;

/// <summary>
/// The host's interface addresses as they are now, and a signal when they change, so wildcard
/// portals follow NICs and addresses that come and go without a restart (the seed's Windows target
/// kept serving a stale adapter list until a reboot).
/// </summary>
public interface ILocalAddressSource : IDisposable
{
    /// <summary>Raised (on any thread) after the address set may have changed.</summary>
    event Action? Changed;

    IReadOnlyList<LocalAddress> GetAddresses();
}
