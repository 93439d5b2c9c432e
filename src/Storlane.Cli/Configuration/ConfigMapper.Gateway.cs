using Storlane.Target;

namespace Storlane.Cli.Configuration;

/// <summary>The `gateway:` section: this process among the gateways exporting the same rbd images.</summary>
internal sealed partial class ConfigMapper
{
    private void MapGateway(YamlSection root, GatewayOptions gateway, List<PortalOptions> portals)
    {
        if (root.Mapping("gateway", ConfigKeys.Gateway) is not { } section)
        {
            return;
        }

        if (section.String("name") is { } name)
        {
            // The name is stored with an incarnation after '#' in the shared reservation state.
            if (name.Length == 0 || name.Length > 64 || name.Contains(' ', StringComparison.Ordinal) || name.Contains('#', StringComparison.Ordinal))
            {
                _errors.Add(section.Value("name")!, "'name' must be 1..64 characters without spaces or '#'");
            }
            else
            {
                gateway.Name = name;
            }
        }

        gateway.Ownership = section.Boolean("ownership") ?? false;
        if (section.Integer("lease", 3, 300) is { } lease)
        {
            gateway.LeaseDuration = TimeSpan.FromSeconds(lease);
        }

        foreach (var item in section.Sequence("groups"))
        {
            if (section.Scalar(item, "groups", "a list of portal group numbers") is not { } text)
            {
                continue;
            }

            if (!ushort.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var group) || group == 0)
            {
                _errors.Add(item, $"'{text}' is not a portal group (1..65535)");
            }
            else if (gateway.Groups.Contains(group))
            {
                _errors.Add(item, $"portal group {group} is listed twice");
            }
            else
            {
                gateway.Groups.Add(group);
            }
        }

        if (!gateway.Ownership)
        {
            return;
        }

        // Each gateway is one target port group; it must know every gateway's group to report them all.
        if (gateway.Groups.Count < 2)
        {
            _errors.Add(section.Value("groups") ?? section.Value("ownership")!, "'ownership' needs 'groups': every gateway's portal group, this one's included (at least two)");
            return;
        }

        foreach (var portal in portals)
        {
            if (!gateway.Groups.Contains(portal.Group) || portal.Group != portals[0].Group)
            {
                _errors.Add(section.Value("groups")!, $"with 'ownership' this gateway's portals are one portal group listed in 'groups' (a portal has group {portal.Group})");
                return;
            }
        }
    }
}
