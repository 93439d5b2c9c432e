namespace Storlane.Ceph.Rados;

/// <summary>
/// How a gateway reaches a Ceph cluster. With neither <see cref="ConfPath"/> nor
/// <see cref="MonitorHost"/>, librados reads its default conf (/etc/ceph/ceph.conf), as the ceph
/// and rbd tools do. A cephx client names its id (the "admin" of client.admin) and, unless the
/// conf says where, its keyring.
/// </summary>
public sealed record RadosConnectOptions
{
    /// <summary>A ceph.conf to read; null reads librados's default search path.</summary>
    public string? ConfPath { get; init; }

    /// <summary>Monitor addresses ("10.0.0.1:6789,10.0.0.2"), overriding the conf's mon host.</summary>
    public string? MonitorHost { get; init; }

    /// <summary>The cephx id without "client.": "admin", "storlane".</summary>
    public string ClientId { get; init; } = "admin";

    /// <summary>The keyring holding the client's key; null uses the conf's (or librados's default) keyring path.</summary>
    public string? KeyringPath { get; init; }

    /// <summary>
    /// How long connecting may wait for the monitors (client_mount_timeout): an unreachable cluster
    /// is an error after this, not a hang.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one monitor or OSD operation may wait (rados_mon_op_timeout, rados_osd_op_timeout)
    /// before failing with ETIMEDOUT; zero waits forever, which is librados's default.
    /// </summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Further conf options (rados_conf_set), applied last.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}
