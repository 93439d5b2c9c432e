namespace Storlane.Target;

/// <summary>
/// This process as one of several gateways that export the same rbd images (the `gateway:` section).
/// Reservations of rbd LUNs always live in the cluster; these settings name the gateway and turn on
/// ALUA ownership (see docs/scale-out.md, "SCSI state and ownership across gateways").
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>This gateway's name in the shared reservation state (SPC-2 RESERVE holders); null: the host name.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Compete for ownership of each target that has an rbd LUN: the lease holder reports its portal
    /// group active/optimized, every other gateway's group active/non-optimized.
    /// </summary>
    public bool Ownership { get; set; }

    /// <summary>Every gateway's portal group (this one's included): each gateway reports them all.</summary>
    public List<ushort> Groups { get; } = [];

    /// <summary>How long an owner's lease lasts without renewal: the longest its death goes unnoticed.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
}
