namespace Storlane.Cli.Configuration;

/// <summary>Every key the config file knows, per section: the README's config reference lists the same.</summary>
internal static class ConfigKeys
{
    public static readonly string[] Root = ["portals", "targets", "nop-in-interval", "nop-in-timeout", "command-window", "discovery-chap", "limits", "management", "nvme", "gateway"];

    public static readonly string[] Limits =
    [
        "max-connections", "max-connections-per-portal", "max-connections-per-address", "max-sessions-per-target",
        "login-timeout", "pdu-stall-timeout", "max-text-bytes", "immediate-commands",
        "max-queued-bytes-per-connection", "max-buffer-bytes-per-connection", "buffer-budget",
    ];

    public static readonly string[] Portal = ["address", "interface", "port", "group", "alua-state"];

    public static readonly string[] Target = ["name", "alias", "allowed-initiators", "chap", "mutual-chap", "luns", "nqn", "allowed-hosts"];

    public static readonly string[] Chap = ["user", "secret"];

    public static readonly string[] Lun =
    [
        "lun", "backend", "path", "size", "logical-block-size", "physical-block-size", "read-only", "removable", "encrypted", "sanitize-rate", "serial", "offline",
        "pool", "image", "ceph-conf", "mon-host", "client", "keyring", "create-size",
    ];

    public static readonly string[] Nvme = ["enabled", "port", "discovery-port", "max-connections", "max-queue-entries", "max-io-queues"];

    public static readonly string[] Gateway = ["name", "ownership", "groups", "lease"];

    public static readonly string[] Management = ["socket", "tokens", "listen", "certificate", "key"];

    public static readonly string[] ApiToken = ["name", "role", "sha256"];
}
