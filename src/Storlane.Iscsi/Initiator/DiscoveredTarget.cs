using System.Globalization;
using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Initiator;

/// <summary>One portal of a discovered target: "TargetAddress=domainname[:port][,portal-group-tag]" (RFC 7143 13.8).</summary>
public sealed record TargetPortal(string Host, int Port, ushort? PortalGroupTag)
{
    public const int DefaultPort = 3260;

    /// <summary>Parses a TargetAddress value; IPv6 addresses come in brackets (RFC 7143 13.8, RFC 3986).</summary>
    public static bool TryParse(string value, out TargetPortal portal)
    {
        ArgumentNullException.ThrowIfNull(value);
        portal = null!;
        ushort? tag = null;
        var comma = value.LastIndexOf(',');
        var address = value;
        if (comma >= 0)
        {
            if (!ushort.TryParse(value.AsSpan(comma + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var parsedTag))
            {
                return false;
            }

            tag = parsedTag;
            address = value[..comma];
        }

        string host;
        var portText = string.Empty;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = address[1..close];
            var rest = address[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = address.LastIndexOf(':');
            host = colon < 0 ? address : address[..colon];
            portText = colon < 0 ? string.Empty : address[(colon + 1)..];
        }

        var port = DefaultPort;
        if (host.Length == 0
            || (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is 0 or > 65535)))
        {
            return false;
        }

        portal = new TargetPortal(host, port, tag);
        return true;
    }
}

/// <summary>A target named in a SendTargets answer, with the portals it listed (RFC 7143 Appendix C).</summary>
public sealed record DiscoveredTarget(string Name, IReadOnlyList<TargetPortal> Portals)
{
    /// <summary>
    /// Groups a SendTargets answer: each TargetName starts a record and the TargetAddress keys after it
    /// belong to it. A TargetAddress before any TargetName, or one that does not parse, is skipped.
    /// </summary>
    public static IReadOnlyList<DiscoveredTarget> ParseSendTargets(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var targets = new List<DiscoveredTarget>();
        string? name = null;
        List<TargetPortal>? portals = null;
        foreach (var (key, value) in pairs)
        {
            if (key == TextKeys.TargetName)
            {
                if (name is not null)
                {
                    targets.Add(new DiscoveredTarget(name, portals!));
                }

                name = value;
                portals = [];
            }
            else if (key == TextKeys.TargetAddress && portals is not null && TargetPortal.TryParse(value, out var portal))
            {
                portals.Add(portal);
            }
        }

        if (name is not null)
        {
            targets.Add(new DiscoveredTarget(name, portals!));
        }

        return targets;
    }
}
