using Storlane.Iscsi.Chap;
using Storlane.Scsi;

namespace Storlane.Target;

/// <summary>One configured iSCSI target: its name, SCSI device, access rules and live sessions.</summary>
internal sealed class TargetNode
{
    private readonly HashSet<string> _allowedInitiators;

    public TargetNode(TargetOptions options, ScsiTargetDevice device)
    {
        Options = options;
        Device = device;
        _allowedInitiators = new HashSet<string>(options.AllowedInitiators, StringComparer.OrdinalIgnoreCase);
        Chap = options.Chap is { } c ? new ChapCredential(c.User, c.Secret) : null;
        MutualChap = options.MutualChap is { } m ? new ChapCredential(m.User, m.Secret) : null;
        foreach (var lun in options.Luns)
        {
            Counters.Add(lun.Lun, new Observability.LunCounters(options.Name, lun.Lun));
        }
    }

    /// <summary>Per-LUN command counts; filled at construction and only read afterwards, so lookups need no lock.</summary>
    public Dictionary<ulong, Observability.LunCounters> Counters { get; } = [];

    /// <summary>The counters of a served LUN; null for a LUN not served (its commands are not counted).</summary>
    public Observability.LunCounters? CountersFor(ulong lun) => Counters.GetValueOrDefault(lun);

    public string Name => Options.Name;

    public TargetOptions Options { get; }

    public ScsiTargetDevice Device { get; }

    public ChapCredential? Chap { get; }

    public ChapCredential? MutualChap { get; }

    /// <summary>ACL check; iSCSI names compare case-insensitively (RFC 7143 4.2.7.1: names are normalized to lower case).</summary>
    public bool Allows(string initiatorName) => _allowedInitiators.Count == 0 || _allowedInitiators.Contains(initiatorName);
}
