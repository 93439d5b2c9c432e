using System.Net;
using System.Text.RegularExpressions;
using Storlane.Scsi;
using Storlane.Target;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

internal sealed partial class ConfigMapper
{
    private void MapPortals(YamlSection root, List<PortalOptions> portals)
    {
        var items = root.Sequence("portals");
        RequireItems(root, "portals", items);
        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var groupStates = new Dictionary<ushort, (TargetPortGroupState State, YamlNode Node)>();
        foreach (var item in items)
        {
            if (item is not YamlMappingNode mapping)
            {
                _errors.Add(item, $"a portal must be a mapping with 'address' (or 'interface') and optional 'port', 'group' and 'alua-state', not {YamlSection.Describe(item)}");
                continue;
            }

            var section = new YamlSection(mapping, _errors, ConfigKeys.Portal);
            var networkInterface = section.String("interface");

            // An interface alone means every IPv4 address it has, now and later.
            var address = networkInterface is not null && section.Value("address") is null ? IPAddress.Any : ParseAddress(section);
            var port = section.Integer("port", 0, 65535);
            var group = section.Integer("group", 1, 65535);

            // A bad 'group' has its own error; the state of its portal then has no group to agree with.
            ushort? groupNumber = group is { } number ? (ushort)number : section.Value("group") is null ? (ushort)1 : null;
            var aluaState = MapAluaState(section, groupNumber, groupStates);
            if (address is null)
            {
                continue;
            }

            if (networkInterface is not null && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any))
            {
                _errors.Add(section.Value("interface")!, $"'interface' selects addresses for a wildcard portal: use it with address 0.0.0.0 or :: (or no address), not {address}");
                continue;
            }

            var portal = new PortalOptions { Address = address.ToString(), Interface = networkInterface, Port = (int)(port ?? 3260), Group = (ushort)(group ?? 1), AluaState = aluaState };

            // Port 0 asks the OS for a free port, so two such portals never collide.
            if (portal.Port != 0 && !seen.TryAdd(portal.ToString(), mapping))
            {
                _errors.Add(mapping, $"duplicate portal {portal} (first at line {seen[portal.ToString()].Start.Line})");
            }

            portals.Add(portal);
        }
    }

    /// <summary>
    /// The portal group's ALUA state (SPC-4 5.16.2.4), if this portal names one. A group is one target
    /// port group with one state, so a second, different state for it is refused where it is written.
    /// </summary>
    private TargetPortGroupState? MapAluaState(YamlSection section, ushort? group, Dictionary<ushort, (TargetPortGroupState State, YamlNode Node)> groupStates)
    {
        var text = section.String("alua-state");
        if (text is null)
        {
            return null;
        }

        var node = section.Value("alua-state")!;
        if (!AluaStateNames.TryParse(text, out var state))
        {
            _errors.Add(node, $"'alua-state' must be {AluaStateNames.Choices}, got '{text}'");
            return null;
        }

        if (group is not { } key)
        {
            return state;
        }

        if (groupStates.TryGetValue(key, out var first) && first.State != state)
        {
            _errors.Add(node, $"portal group {key} is already '{AluaStateNames.Name(first.State)}' (line {first.Node.Start.Line}); the portals of one group share one ALUA state");
            return null;
        }

        groupStates.TryAdd(key, (state, node));
        return state;
    }

    /// <summary>
    /// Only literal IP addresses: a host name would resolve at start to who knows which interface.
    /// IPAddress.TryParse alone accepts "1" as 0.0.0.1, so IPv4 must be the dotted quad.
    /// </summary>
    private IPAddress? ParseAddress(YamlSection section)
    {
        var text = RequiredString(section, "address");
        if (text is null)
        {
            return null;
        }

        if ((text.Contains(':', StringComparison.Ordinal) || DottedQuad().IsMatch(text)) && IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        _errors.Add(section.Value("address")!, $"portal address '{text}' is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or ::1)");
        return null;
    }

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex DottedQuad();
}
