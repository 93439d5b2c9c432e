using System.Text;
using Storlane.Target;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

internal sealed partial class ConfigMapper
{
    /// <summary>TargetAlias is a text value: RFC 7143 6.1 caps those at 255 bytes.</summary>
    private const int MaxAliasBytes = 255;

    private readonly Dictionary<string, YamlNode> _lunFiles = new(StringComparer.Ordinal);

    private void MapTargets(YamlSection root, List<TargetOptions> targets)
    {
        var items = root.Sequence("targets");
        RequireItems(root, "targets", items);
        var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item is not YamlMappingNode mapping)
            {
                _errors.Add(item, $"a target must be a mapping with 'name' and 'luns', not {YamlSection.Describe(item)}");
                continue;
            }

            var section = new YamlSection(mapping, _errors, ConfigKeys.Target);
            var name = ValidName(section, "name");
            var alias = section.String("alias");
            if (alias is not null && Encoding.UTF8.GetByteCount(alias) > MaxAliasBytes)
            {
                _errors.Add(section.Value("alias")!, $"'alias' is longer than {MaxAliasBytes} bytes");
            }

            var target = new TargetOptions { Name = name ?? string.Empty, Alias = alias };
            MapAllowedInitiators(section, target.AllowedInitiators);
            target.Chap = MapChap(section, "chap");
            target.MutualChap = MapChap(section, "mutual-chap");
            CheckMutualChap(section, target);
            MapTargetNvme(section, name);
            MapLuns(section, target, (section.Value("name") as YamlScalarNode)?.Value ?? "(unnamed)");

            if (name is not null && !seen.TryAdd(name, section.Value("name")!))
            {
                _errors.Add(section.Value("name")!, $"duplicate target '{name}' (first at line {seen[name].Start.Line})");
            }

            targets.Add(target);
        }
    }

    private string? ValidName(YamlSection section, string key)
    {
        var name = RequiredString(section, key);
        if (name is not null && IscsiNameRules.Validate(name) is { } problem)
        {
            _errors.Add(section.Value(key)!, problem);
            return null;
        }

        return name;
    }

    private void MapAllowedInitiators(YamlSection section, List<string> allowed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in section.Sequence("allowed-initiators"))
        {
            if (section.Scalar(item, "allowed-initiators", "a list of initiator names") is not { } name)
            {
                continue;
            }

            if (IscsiNameRules.Validate(name) is { } problem)
            {
                _errors.Add(item, problem);
            }
            else if (!seen.Add(name))
            {
                _errors.Add(item, $"initiator '{name}' is listed twice");
            }
            else
            {
                allowed.Add(name);
            }
        }
    }

    private ChapOptions? MapChap(YamlSection parent, string key)
    {
        if (parent.Mapping(key, ConfigKeys.Chap) is not { } section)
        {
            return null;
        }

        var user = RequiredString(section, "user");
        var secret = RequiredString(section, "secret");
        if (user is not null && ChapRules.ValidateUser(user) is { } userProblem)
        {
            _errors.Add(section.Value("user")!, userProblem);
        }

        if (secret is not null && ChapRules.ValidateSecret(secret) is { } secretProblem)
        {
            _errors.Add(section.Value("secret")!, secretProblem);
        }

        return user is null || secret is null ? null : new ChapOptions { User = user, Secret = secret };
    }

    private void CheckMutualChap(YamlSection section, TargetOptions target)
    {
        if (target.MutualChap is null)
        {
            return;
        }

        var node = section.Value("mutual-chap")!;
        if (target.Chap is null && !section.Has("chap"))
        {
            // The initiator only asks the target to prove itself after it has itself passed CHAP.
            _errors.Add(node, "'mutual-chap' needs 'chap' too: mutual CHAP follows one-way CHAP");
        }
        else if (target.Chap is not null && target.Chap.Secret == target.MutualChap.Secret)
        {
            _errors.Add(node, "'mutual-chap' secret must differ from the 'chap' secret (RFC 7143 9.2.1)");
        }
    }
}
