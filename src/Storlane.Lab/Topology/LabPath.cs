using System.Globalization;
using System.Text;

namespace Storlane.Lab.Topology;

/// <summary>
/// One way from a server NIC to a storage port: connect to TargetHost:TargetPort from
/// LocalAddress (when set) and the traffic crosses exactly that NIC's and that port's links.
/// </summary>
public sealed record LabPath(int ServerNic, int StoragePort, string TargetHost, int TargetPort, string? LocalAddress)
{
    /// <summary>The iSCSI URL of LUN <paramref name="lun"/> of <paramref name="targetName"/> over this path (with ?local_address= when LocalAddress is set).</summary>
    public string Url(string targetName, int lun)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetName);
        var url = new StringBuilder("iscsi://")
            .Append(TargetHost).Append(':').Append(TargetPort.ToString(CultureInfo.InvariantCulture))
            .Append('/').Append(targetName)
            .Append('/').Append(lun.ToString(CultureInfo.InvariantCulture));
        if (LocalAddress is not null)
        {
            url.Append("?local_address=").Append(LocalAddress);
        }

        return url.ToString();
    }

    /// <summary>"nic0->port1", for reports.</summary>
    public string Label => "nic" + ServerNic.ToString(CultureInfo.InvariantCulture) + "->port" + StoragePort.ToString(CultureInfo.InvariantCulture);
}
