using Storlane.Management;
using Storlane.Target;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

/// <summary>Maps the YAML node tree onto <see cref="TargetServerOptions"/>, checking each rule where its value sits.</summary>
internal sealed partial class ConfigMapper
{
    private readonly ConfigErrorList _errors;
    private readonly string _dataDirectory;

    public ConfigMapper(ConfigErrorList errors, string dataDirectory)
    {
        _errors = errors;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The `management:` section as the last <see cref="Map"/> read it (defaults when absent).</summary>
    public ManagementOptions Management { get; private set; } = new();

    public TargetServerOptions Map(YamlMappingNode rootNode)
    {
        var root = new YamlSection(rootNode, _errors, ConfigKeys.Root);
        var options = new TargetServerOptions();

        // Bounds: an hour of silence is already far past any initiator's own timeouts.
        if (root.Integer("nop-in-interval", 0, 3600) is { } interval)
        {
            options.NopInIntervalSeconds = (int)interval;
        }

        if (root.Integer("nop-in-timeout", 1, 3600) is { } timeout)
        {
            options.NopInTimeoutSeconds = (int)timeout;
        }

        if (root.Integer("command-window", 1, 65535) is { } window)
        {
            options.CommandWindow = (int)window;
        }

        MapLimits(root, options.Limits);
        options.DiscoveryChap = MapChap(root, "discovery-chap");
        MapPortals(root, options.Portals);
        MapTargets(root, options.Targets);
        MapGateway(root, options.Gateway, options.Portals);
        Management = MapManagement(root);
        Nvme = WithTargets(MapNvme(root));
        return options;
    }

    private string? RequiredString(YamlSection section, string key, string? why = null)
    {
        var value = section.String(key);
        if (value is null)
        {
            section.Missing(key, why ?? string.Empty);
        }
        else if (value.Length == 0)
        {
            _errors.Add(section.Value(key)!, $"'{key}' cannot be empty");
            return null;
        }

        return value;
    }

    private void RequireItems(YamlSection section, string key, IReadOnlyList<YamlNode> items)
    {
        if (items.Count > 0)
        {
            return;
        }

        switch (section.Value(key))
        {
            case null:
                section.Missing(key);
                break;
            case YamlSequenceNode node:
                _errors.Add(node, $"'{key}' needs at least one item");
                break;
            default:
                // Not a list at all: Sequence() has said so already.
                break;
        }
    }
}
