using System.Globalization;
using Storlane.Management;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Serving.Changes;

/// <summary>
/// One API change made to the running config's YAML tree, exactly as an administrator would edit the
/// file; the rules are then checked by the config loader on the result, not here. Here only what the
/// tree itself says: a target, LUN or entry that is not there, and edits that would change meaning
/// unseen (the last ACL entry). Returns what was done, or why nothing was.
/// </summary>
internal static class ConfigEdits
{
    public static EditOutcome Apply(YamlMappingNode root, ConfigChange change) => change switch
    {
        AddLunChange add => AddLun(root, add),
        RemoveLunChange remove => WithLun(root, remove.Target, remove.Lun, (luns, lun) =>
        {
            luns.Children.Remove(lun);
            return EditOutcome.Done($"LUN {remove.Lun} of {remove.Target} removed");
        }),
        GrowLunChange grow => WithLun(root, grow.Target, grow.Lun, (_, lun) =>
        {
            Set(lun, "size", grow.Size);
            return EditOutcome.Done($"LUN {grow.Lun} of {grow.Target} set to {grow.Size}");
        }),
        LunReadOnlyChange readOnly => WithLun(root, readOnly.Target, readOnly.Lun, (_, lun) =>
            SetFlag(lun, "read-only", readOnly.ReadOnly, $"LUN {readOnly.Lun} of {readOnly.Target} is {(readOnly.ReadOnly ? "read-only" : "writable")}")),
        LunOfflineChange offline => WithLun(root, offline.Target, offline.Lun, (_, lun) =>
            SetFlag(lun, "offline", offline.Offline, $"LUN {offline.Lun} of {offline.Target} is {(offline.Offline ? "offline" : "online")}")),
        AclChange acl => WithTarget(root, acl.Target, target => acl.Add ? AddInitiator(target, acl) : RemoveInitiator(target, acl)),
        ChapChange chap => WithTarget(root, chap.Target, target => SetChap(target, chap)),
        PortalChange portal => portal.Add ? AddPortal(root, portal) : RemovePortal(root, portal),
        _ => EditOutcome.Refused(ChangeResult.Invalid($"unknown change {change.GetType().Name}")),
    };

    private static EditOutcome AddLun(YamlMappingNode root, AddLunChange add) => WithTarget(root, add.Target, target =>
    {
        var luns = Sequence(target, "luns");
        var settings = new Dictionary<string, string>(add.Settings, StringComparer.Ordinal);
        settings.TryAdd("lun", LowestFreeLun(luns).ToString(CultureInfo.InvariantCulture));

        // Written as the file's own examples are: one line per LUN, 'lun' first.
        var lun = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        lun.Add("lun", settings["lun"]);
        foreach (var (key, value) in settings)
        {
            if (key != "lun")
            {
                lun.Add(key, value);
            }
        }

        luns.Add(lun);
        return EditOutcome.Done($"LUN {settings["lun"]} of {add.Target} added");
    });

    private static ulong LowestFreeLun(YamlSequenceNode luns)
    {
        var taken = new HashSet<ulong>();
        foreach (var item in luns)
        {
            if (item is YamlMappingNode mapping && LunNumber(mapping) is { } number)
            {
                taken.Add(number);
            }
        }

        ulong free = 0;
        while (taken.Contains(free))
        {
            free++;
        }

        return free;
    }

    private static EditOutcome AddInitiator(YamlMappingNode target, AclChange acl)
    {
        var allowed = Sequence(target, "allowed-initiators");
        var wasOpen = allowed.Children.Count == 0;
        allowed.Add(acl.Initiator);
        return EditOutcome.Done($"{acl.Initiator} may log in to {acl.Target}" + (wasOpen ? "; the target was open to every initiator, now only those listed may log in" : string.Empty));
    }

    private static EditOutcome RemoveInitiator(YamlMappingNode target, AclChange acl)
    {
        var allowed = target.Children.TryGetValue("allowed-initiators", out var node) ? node as YamlSequenceNode : null;
        var entry = allowed?.Children.FirstOrDefault(item => item is YamlScalarNode { Value: { } name } && string.Equals(name, acl.Initiator, StringComparison.OrdinalIgnoreCase));
        if (allowed is null || entry is null)
        {
            return EditOutcome.Refused(ChangeResult.NotFound($"{acl.Initiator} is not in the ACL of {acl.Target}"));
        }

        if (allowed.Children.Count == 1)
        {
            // An empty list means "everyone": removing the last name would open the target, not close it.
            return EditOutcome.Refused(ChangeResult.Conflict($"{acl.Initiator} is the last initiator in the ACL of {acl.Target}; removing it would open the target to every initiator (add the initiator that should stay first, or remove 'allowed-initiators' from the file if that is meant)"));
        }

        allowed.Children.Remove(entry);
        return EditOutcome.Done($"{acl.Initiator} removed from the ACL of {acl.Target}; its sessions end");
    }

    private static EditOutcome SetChap(YamlMappingNode target, ChapChange chap)
    {
        if (chap.User is null || chap.Secret is null)
        {
            return target.Children.Remove(new YamlScalarNode(chap.Key))
                ? EditOutcome.Done($"{chap.Key} of {chap.Target} removed; new logins need no {chap.Key}")
                : EditOutcome.Refused(ChangeResult.NotFound($"{chap.Target} has no {chap.Key}"));
        }

        var credentials = new YamlMappingNode { { "user", chap.User }, { "secret", chap.Secret } };
        target.Children[new YamlScalarNode(chap.Key)] = credentials;
        return EditOutcome.Done($"{chap.Key} of {chap.Target} set for new logins (user {chap.User}); sessions already in are kept");
    }

    private static EditOutcome AddPortal(YamlMappingNode root, PortalChange portal)
    {
        var portals = Sequence(root, "portals");
        var entry = new YamlMappingNode { Style = YamlDotNet.Core.Events.MappingStyle.Flow };
        entry.Add("address", portal.Address);
        entry.Add("port", portal.Port.ToString(CultureInfo.InvariantCulture));
        if (portal.Group is { } group)
        {
            entry.Add("group", group.ToString(CultureInfo.InvariantCulture));
        }

        portals.Add(entry);
        return EditOutcome.Done($"portal {portal.Address}:{portal.Port} added");
    }

    private static EditOutcome RemovePortal(YamlMappingNode root, PortalChange portal)
    {
        var portals = root.Children.TryGetValue("portals", out var node) ? node as YamlSequenceNode : null;
        var entry = portals?.Children.FirstOrDefault(item => item is YamlMappingNode mapping
            && Scalar(mapping, "address") is { } address && string.Equals(address, portal.Address, StringComparison.OrdinalIgnoreCase)
            && (Scalar(mapping, "port") ?? "3260") == portal.Port.ToString(CultureInfo.InvariantCulture));
        if (portals is null || entry is null)
        {
            return EditOutcome.Refused(ChangeResult.NotFound($"no portal {portal.Address}:{portal.Port} in the config"));
        }

        portals.Children.Remove(entry);
        return EditOutcome.Done($"portal {portal.Address}:{portal.Port} removed; sessions through it are kept");
    }

    private static EditOutcome SetFlag(YamlMappingNode lun, string key, bool value, string done)
    {
        var now = Scalar(lun, key) is { } text && bool.TryParse(text, out var parsed) && parsed;
        if (now == value)
        {
            return EditOutcome.Unchanged(done + " already");
        }

        // false is the default: the key goes, so the file stays as short as an administrator writes it.
        if (value)
        {
            Set(lun, key, "true");
        }
        else
        {
            lun.Children.Remove(new YamlScalarNode(key));
        }

        return EditOutcome.Done(done);
    }

    private static EditOutcome WithTarget(YamlMappingNode root, string name, Func<YamlMappingNode, EditOutcome> edit)
    {
        var targets = root.Children.TryGetValue("targets", out var node) ? node as YamlSequenceNode : null;
        var target = targets?.Children.OfType<YamlMappingNode>().FirstOrDefault(t => string.Equals(Scalar(t, "name"), name, StringComparison.OrdinalIgnoreCase));
        return target is null ? EditOutcome.Refused(ChangeResult.NotFound($"no target {name} is configured")) : edit(target);
    }

    private static EditOutcome WithLun(YamlMappingNode root, string targetName, ulong number, Func<YamlSequenceNode, YamlMappingNode, EditOutcome> edit) =>
        WithTarget(root, targetName, target =>
        {
            var luns = Sequence(target, "luns");
            var lun = luns.Children.OfType<YamlMappingNode>().FirstOrDefault(l => LunNumber(l) == number);
            return lun is null ? EditOutcome.Refused(ChangeResult.NotFound($"{targetName} has no LUN {number}")) : edit(luns, lun);
        });

    private static ulong? LunNumber(YamlMappingNode lun) =>
        ulong.TryParse(Scalar(lun, "lun"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(key, out var node) && node is YamlScalarNode scalar ? scalar.Value : null;

    private static void Set(YamlMappingNode mapping, string key, string value) =>
        mapping.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);

    /// <summary>The list under <paramref name="key"/>, created (empty) when absent; a non-list is left to the loader to name.</summary>
    private static YamlSequenceNode Sequence(YamlMappingNode mapping, string key)
    {
        if (mapping.Children.TryGetValue(key, out var node) && node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        sequence = [];
        mapping.Children[new YamlScalarNode(key)] = sequence;
        return sequence;
    }
}

/// <summary>An edit's end: done (with what), nothing to do, or refused before any rule was checked.</summary>
internal sealed record EditOutcome(ChangeResult? Refusal, string Description, bool Changed)
{
    public static EditOutcome Done(string description) => new(null, description, Changed: true);

    public static EditOutcome Unchanged(string description) => new(null, description, Changed: false);

    public static EditOutcome Refused(ChangeResult refusal) => new(refusal, string.Empty, Changed: false);
}
