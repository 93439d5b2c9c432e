using System.Globalization;
using System.Text;

namespace Storlane.Lab.Ceph;

/// <summary>
/// The ceph.conf of a throwaway single-node cluster: no authentication (or cephx, with every key in
/// one keyring in the directory), one copy of every object,
/// placement across OSDs rather than hosts (chooseleaf type 0) so one OSD is a healthy cluster, a
/// memstore OSD (no disk), and every path (data, run dir with the admin sockets, logs) inside the
/// cluster's own directory so two clusters on one machine never meet.
/// </summary>
internal static class SingleNodeCephConf
{
    public static string Build(string directory, Guid fsid, int monitorPort, SingleNodeCephOptions options)
    {
        var text = new StringBuilder();
        text.Append("[global]\n");
        Line(text, "fsid", fsid.ToString());
        Line(text, "mon host", "127.0.0.1:" + monitorPort.ToString(CultureInfo.InvariantCulture));
        var auth = options.Cephx ? "cephx" : "none";
        Line(text, "auth cluster required", auth);
        Line(text, "auth service required", auth);
        Line(text, "auth client required", auth);
        if (options.Cephx)
        {
            // Daemons and client.admin alike find their key here; other clients name their own keyring.
            Line(text, "keyring", KeyringPath(directory));
        }

        Line(text, "osd pool default size", "1");
        Line(text, "osd pool default min size", "1");
        Line(text, "osd pool default pg autoscale mode", "off");
        Line(text, "osd crush chooseleaf type", "0");
        Line(text, "osd objectstore", "memstore");
        Line(text, "memstore device bytes", options.MemstoreBytes.ToString(CultureInfo.InvariantCulture));
        Line(text, "run dir", Path.Combine(directory, "run"));
        Line(text, "mon data", Path.Combine(directory, "$name"));
        Line(text, "osd data", Path.Combine(directory, "$name"));
        Line(text, "mgr data", Path.Combine(directory, "$name"));
        Line(text, "mon allow pool size one", "true");
        Line(text, "mon allow pool delete", "true");

        // A throwaway cluster on a shared disk: the free-space and single-copy warnings say nothing here.
        Line(text, "mon data avail warn", "1");
        Line(text, "mon warn on insecure global id reclaim allowed", "false");
        Line(text, "mon warn on pool no redundancy", "false");

        // The manager's Python modules (dashboard, telemetry, ...) take tens of seconds of CPU to
        // load and nothing here uses them; placement-group statistics come from its C++ core.
        Line(text, "mgr module path", Path.Combine(directory, "mgr-modules"));

        // Daemons log to files in the directory; clients (ceph, rbd, librados in a gateway) keep
        // Ceph's client default of no log file.
        foreach (var section in new[] { "mon", "osd", "mgr" })
        {
            text.Append('[').Append(section).Append("]\n");
            Line(text, "log file", Path.Combine(directory, "log", "$name.log"));
        }

        return text.ToString();
    }

    /// <summary>The keyring of a cephx cluster: mon., client.admin, osd.0, mgr.x.</summary>
    public static string KeyringPath(string directory) => Path.Combine(directory, "keyring");

    private static void Line(StringBuilder text, string key, string value) => text.Append(key).Append(" = ").Append(value).Append('\n');
}
