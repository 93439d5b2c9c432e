using System.Net;

namespace Storlane.Target.Portals;

/// <summary>An IP address assigned to one of this host's interfaces.</summary>
public readonly record struct LocalAddress(IPAddress Address, string InterfaceName);
