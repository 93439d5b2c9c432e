using Storlane.Iscsi.Chap;
using Storlane.Scsi;

namespace Storlane.Target;

/// <summary>One configured iSCSI target: its name, SCSI device, access rules and live sessions.</summary>
internal sealed class TargetNode
{
    // Replaced whole by an administrator's change; logins read whichever set is current.
    private volatile HashSet<string> _allowedInitiators;
    private volatile ChapCredential? _chap;
    private volatile ChapCredential? _mutualChap;
    private volatile Dictionary<ulong, Observability.LunCounters> _counters = [];

    public TargetNode(TargetOptions options, ScsiTargetDevice device)
    {
        Options = options;
        Device = device;
        _allowedInitiators = new HashSet<string>(options.AllowedInitiators, StringComparer.OrdinalIgnoreCase);
        _chap = options.Chap is { } c ? new ChapCredential(c.User, c.Secret) : null;
        _mutualChap = options.MutualChap is { } m ? new ChapCredential(m.User, m.Secret) : null;
        foreach (var lun in options.Luns)
        {
            _counters.Add(lun.Lun, new Observability.LunCounters(options.Name, lun.Lun));
        }
    }

    /// <summary>Per-LUN command counts; never changed in place (a LUN added live gets a new dictionary), so lookups need no lock.</summary>
    public Dictionary<ulong, Observability.LunCounters> Counters => _counters;

    /// <summary>Counts for a LUN added while serving (copy on write: the data path keeps reading the old dictionary meanwhile).</summary>
    public void AddCounters(ulong lun)
    {
        var counters = new Dictionary<ulong, Observability.LunCounters>(_counters) { [lun] = new Observability.LunCounters(Name, lun) };
        _counters = counters;
    }

    /// <summary>The counters of a served LUN; null for a LUN not served (its commands are not counted).</summary>
    public Observability.LunCounters? CountersFor(ulong lun) => Counters.GetValueOrDefault(lun);

    public string Name => Options.Name;

    public TargetOptions Options { get; }

    public ScsiTargetDevice Device { get; }

    /// <summary>What a login must prove; replaced by <see cref="SetChap"/> for logins that follow (sessions already in keep theirs).</summary>
    public ChapCredential? Chap => _chap;

    public ChapCredential? MutualChap => _mutualChap;

    public void SetChap(ChapOptions? chap, ChapOptions? mutualChap)
    {
        _chap = chap is null ? null : new ChapCredential(chap.User, chap.Secret);
        _mutualChap = mutualChap is null ? null : new ChapCredential(mutualChap.User, mutualChap.Secret);
    }

    /// <summary>Replaces the ACL (empty: everyone); the caller ends the sessions it no longer allows.</summary>
    public void SetAllowedInitiators(IEnumerable<string> names) =>
        _allowedInitiators = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);

    /// <summary>ACL check; iSCSI names compare case-insensitively (RFC 7143 4.2.7.1: names are normalized to lower case).</summary>
    public bool Allows(string initiatorName) => _allowedInitiators.Count == 0 || _allowedInitiators.Contains(initiatorName);
}
