using System.Text;
using Storlane.Nvme.Target;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

/// <summary>The `nvme:` section and each target's `nqn` / `allowed-hosts`.</summary>
internal sealed partial class ConfigMapper
{
    /// <summary>"The NQN ... shall not exceed 223 bytes" (NVMe base 2.0, 4.5).</summary>
    private const int MaxNqnBytes = 223;

    private readonly Dictionary<string, YamlNode> _nqns = new(StringComparer.Ordinal);

    /// <summary>The `nvme:` section as the last <see cref="Map"/> read it (defaults when absent).</summary>
    public NvmeSettings Nvme { get; private set; } = new();

    private NvmeSettings MapNvme(YamlSection root)
    {
        if (root.Mapping("nvme", ConfigKeys.Nvme) is not { } section)
        {
            return new NvmeSettings();
        }

        var mode = NvmeListenMode.Loopback;
        if (section.Value("enabled") is { } enabledNode)
        {
            var text = section.Scalar(enabledNode, "enabled", "loopback, true or false");
            switch (text)
            {
                case null:
                    break;
                case "loopback":
                    mode = NvmeListenMode.Loopback;
                    break;
                case "true":
                    mode = NvmeListenMode.All;
                    break;
                case "false":
                    mode = NvmeListenMode.Off;
                    break;
                default:
                    _errors.Add(enabledNode, $"'enabled' must be loopback (the loopback portals only), true (every portal) or false, not '{text}'");
                    break;
            }
        }

        var defaults = new NvmeLimits();
        return new NvmeSettings
        {
            Mode = mode,
            Port = (int)(section.Integer("port", 0, 65535) ?? 4420),
            DiscoveryPort = (int)(section.Integer("discovery-port", 0, 65535) ?? 8009),
            Limits = new NvmeLimits
            {
                MaxConnections = (int)(section.Integer("max-connections", 1, 65536) ?? defaults.MaxConnections),
                MaxQueueEntries = (int)(section.Integer("max-queue-entries", 32, 1024) ?? defaults.MaxQueueEntries),
                MaxIoQueues = (int)(section.Integer("max-io-queues", 1, 256) ?? defaults.MaxIoQueues),
            },
        };
    }

    /// <summary>A target's `nqn` (checked: nqn. prefix, at most 223 bytes, unique) and `allowed-hosts`.</summary>
    private void MapTargetNvme(YamlSection target, string? targetName)
    {
        if (target.String("nqn") is { } nqn && targetName is not null)
        {
            var node = target.Value("nqn")!;
            if (!nqn.StartsWith("nqn.", StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(nqn) > MaxNqnBytes || nqn == NvmeTargetOptions.DiscoveryNqn)
            {
                _errors.Add(node, $"'nqn' must start with 'nqn.', be at most {MaxNqnBytes} bytes and not be the discovery NQN, got '{nqn}'");
            }
            else if (!_nqns.TryAdd(nqn, node))
            {
                _errors.Add(node, $"duplicate nqn '{nqn}' (first at line {_nqns[nqn].Start.Line})");
            }
            else
            {
                _nvmeNqns[targetName] = nqn;
            }
        }

        var hosts = new List<string>();
        foreach (var item in target.Sequence("allowed-hosts"))
        {
            if (target.Scalar(item, "allowed-hosts", "a host NQN") is { } host)
            {
                hosts.Add(host);
            }
        }

        if (hosts.Count > 0 && targetName is not null)
        {
            _nvmeHosts[targetName] = hosts;
        }
    }

    private readonly Dictionary<string, string> _nvmeNqns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _nvmeHosts = new(StringComparer.Ordinal);

    private NvmeSettings WithTargets(NvmeSettings settings)
    {
        foreach (var (name, nqn) in _nvmeNqns)
        {
            settings.NqnByTarget[name] = nqn;
        }

        foreach (var (name, hosts) in _nvmeHosts)
        {
            settings.AllowedHostsByTarget[name] = hosts;
        }

        return settings;
    }
}
