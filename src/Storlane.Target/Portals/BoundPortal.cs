using System.Net;

namespace Storlane.Target.Portals;

/// <summary>A portal endpoint being listened on, as SendTargets reports it.</summary>
public sealed record BoundPortal(IPEndPoint Endpoint, ushort Group, int PortalIndex);
