using Storlane.Cli.Configuration;
using Storlane.Management;
using Storlane.Scsi;
using Storlane.Storage;
using Storlane.Target;
using Storlane.Target.Portals;

namespace Storlane.Cli.Serving;

/// <summary>
/// What a reloaded or changed config asks of the running target, judged before anything is applied: the
/// portal list, portal group ALUA states, LUNs added and removed, larger LUN sizes, read-only, offline,
/// a target's ACL and CHAP can change live; every other difference is named in
/// <see cref="Refusals"/> ("LUN 3 of iqn...: added; needs a restart"), and one refusal refuses the
/// whole reload, so the target never serves half of a file.
/// </summary>
internal sealed class ReloadPlan
{
    private const string Restart = "; needs a restart";

    private ReloadPlan()
    {
    }

    /// <summary>Every change that cannot be applied live, or is invalid; empty when the reload may go ahead.</summary>
    public List<string> Refusals { get; } = [];

    /// <summary>LUNs to grow, each already checked by <see cref="IscsiTargetServer.CheckLunGrowth"/>.</summary>
    public List<(string Target, ulong Lun, long SizeBytes)> Growths { get; } = [];

    /// <summary>
    /// Portal groups whose configured ALUA state changed, with the new state. Only a changed
    /// <c>alua-state</c> is applied: a group the file leaves as it was keeps whatever state it has now,
    /// one an initiator chose with SET TARGET PORT GROUPS included.
    /// </summary>
    public List<(ushort Group, TargetPortGroupState State)> AluaChanges { get; } = [];

    /// <summary>LUNs to open and serve, in file order.</summary>
    public List<(string Target, LunOptions Lun)> Additions { get; } = [];

    /// <summary>LUNs to stop serving, each already checked by <see cref="IscsiTargetServer.CheckLunRemoval"/>.</summary>
    public List<(string Target, ulong Lun)> Removals { get; } = [];

    /// <summary>LUNs whose read-only setting changed, each checked by <see cref="IscsiTargetServer.CheckLunReadOnly"/>.</summary>
    public List<(string Target, ulong Lun, bool ReadOnly)> ReadOnlyChanges { get; } = [];

    /// <summary>LUNs taken offline (true) or brought online (false).</summary>
    public List<(string Target, ulong Lun, bool Offline)> OfflineChanges { get; } = [];

    /// <summary>Targets whose ACL changed, with the whole new list (empty: everyone).</summary>
    public List<(string Target, List<string> Initiators)> AclChanges { get; } = [];

    /// <summary>Targets whose one-way or mutual CHAP changed, with both new credentials.</summary>
    public List<(string Target, ChapOptions? Chap, ChapOptions? MutualChap)> ChapChanges { get; } = [];

    /// <summary>Whether anything at all would change (a change that changes nothing is not saved either).</summary>
    public bool IsEmpty(bool portalsChanged) => !portalsChanged && Growths.Count == 0 && AluaChanges.Count == 0 && Additions.Count == 0 && Removals.Count == 0
        && ReadOnlyChanges.Count == 0 && OfflineChanges.Count == 0 && AclChanges.Count == 0 && ChapChanges.Count == 0;

    /// <param name="served">The options the target serves now.</param>
    /// <param name="servedSize">The size each LUN is served at now (grown LUNs differ from <paramref name="served"/>).</param>
    public static ReloadPlan Compare(TargetServerOptions served, TargetServerOptions wanted, Func<string, ulong, long> servedSize, IscsiTargetServer server)
    {
        var plan = new ReloadPlan();
        plan.Refusals.AddRange(server.CheckPortals(wanted.Portals));
        plan.CompareSettings(served, wanted);
        plan.CompareAluaStates(served, wanted);
        foreach (var target in wanted.Targets)
        {
            if (Find(served.Targets, target.Name) is not { } current)
            {
                plan.Refusals.Add($"target {target.Name}: added" + Restart);
                continue;
            }

            plan.CompareTarget(current, target);
            foreach (var lun in target.Luns)
            {
                if (Find(current.Luns, lun.Lun) is not { } now)
                {
                    plan.Additions.Add((current.Name, lun));
                    continue;
                }

                plan.CompareLun(target.Name, now, lun, servedSize(target.Name, lun.Lun), server);
            }

            foreach (var lun in current.Luns)
            {
                if (Find(target.Luns, lun.Lun) is null)
                {
                    if (server.CheckLunRemoval(current.Name, lun.Lun) is { } reason)
                    {
                        plan.Refusals.Add(reason);
                    }
                    else
                    {
                        plan.Removals.Add((current.Name, lun.Lun));
                    }
                }
            }
        }

        foreach (var target in served.Targets)
        {
            if (Find(wanted.Targets, target.Name) is null)
            {
                plan.Refusals.Add($"target {target.Name}: removed" + Restart);
            }
        }

        return plan;
    }

    /// <summary>
    /// The whole file: the target's options as <see cref="Compare(TargetServerOptions, TargetServerOptions, Func{string, ulong, long}, IscsiTargetServer)"/>
    /// judges them, and the `management:` section, which the API reads once at its start.
    /// </summary>
    public static ReloadPlan Compare(ServeConfig served, ServeConfig wanted, Func<string, ulong, long> servedSize, IscsiTargetServer server)
    {
        var plan = Compare(served.Target, wanted.Target, servedSize, server);
        plan.CompareManagement(served.Management, wanted.Management);
        plan.CompareNvme(served.Nvme, wanted.Nvme);
        return plan;
    }

    /// <summary>The NVMe/TCP listeners and their limits are set up once, at start.</summary>
    private void CompareNvme(NvmeSettings served, NvmeSettings wanted)
    {
        Check(served.Mode == wanted.Mode && served.Port == wanted.Port && served.DiscoveryPort == wanted.DiscoveryPort && served.Limits == wanted.Limits, "nvme changed");
    }

    private void CompareManagement(ManagementOptions served, ManagementOptions wanted)
    {
        Check(served.Socket == wanted.Socket, "management socket changed");
        Check(Equals(served.Listen, wanted.Listen) && served.Certificate?.Path == wanted.Certificate?.Path && served.Key?.Path == wanted.Key?.Path, "management listen, certificate or key changed");
        Check(served.Tokens.Count == wanted.Tokens.Count && served.Tokens.Zip(wanted.Tokens).All(pair => pair.First.SameAs(pair.Second)), "management tokens changed");
    }

    private void CompareSettings(TargetServerOptions served, TargetServerOptions wanted)
    {
        Check(served.NopInIntervalSeconds == wanted.NopInIntervalSeconds, "nop-in-interval changed");
        Check(served.NopInTimeoutSeconds == wanted.NopInTimeoutSeconds, "nop-in-timeout changed");
        Check(served.CommandWindow == wanted.CommandWindow, "command-window changed");
        Check(SameChap(served.DiscoveryChap, wanted.DiscoveryChap), "discovery-chap changed");
        Check(served.Limits == wanted.Limits, "limits changed");
        Check(SameGateway(served.Gateway, wanted.Gateway), "gateway changed");
    }

    /// <summary>The gateway's name is in the cluster's reservation state and its ownership loop starts with the LUs: both fixed at start.</summary>
    private static bool SameGateway(GatewayOptions served, GatewayOptions wanted) =>
        served.Name == wanted.Name && served.Ownership == wanted.Ownership && served.LeaseDuration == wanted.LeaseDuration && served.Groups.SequenceEqual(wanted.Groups);

    private void CompareAluaStates(TargetServerOptions served, TargetServerOptions wanted)
    {
        // Contradictions within the wanted list are refused by CheckPortals.
        var now = PortalGroupStates.Of(served.Portals, problems: null);
        foreach (var (group, state) in PortalGroupStates.Of(wanted.Portals, problems: null))
        {
            if (!now.TryGetValue(group, out var current) || current != state)
            {
                AluaChanges.Add((group, state));
            }
        }
    }

    private void CompareTarget(TargetOptions served, TargetOptions wanted)
    {
        var name = "target " + wanted.Name + ": ";
        Check(served.Alias == wanted.Alias, name + "alias changed");
        if (!SameSet(served.AllowedInitiators, wanted.AllowedInitiators))
        {
            AclChanges.Add((served.Name, [.. wanted.AllowedInitiators]));
        }

        if (!SameChap(served.Chap, wanted.Chap) || !SameChap(served.MutualChap, wanted.MutualChap))
        {
            ChapChanges.Add((served.Name, wanted.Chap, wanted.MutualChap));
        }
    }

    private void CompareLun(string target, LunOptions served, LunOptions wanted, long servedBytes, IscsiTargetServer server)
    {
        var name = $"LUN {wanted.Lun} of {target}: ";
        Check(served.Backend == wanted.Backend, name + "backend changed");
        Check(served.Path == wanted.Path, name + "path changed");
        Check(served.LogicalBlockSize == wanted.LogicalBlockSize, name + "logical-block-size changed");
        Check(served.PhysicalBlockSize == wanted.PhysicalBlockSize, name + "physical-block-size changed");
        if (served.ReadOnly != wanted.ReadOnly)
        {
            if (server.CheckLunReadOnly(target, wanted.Lun, wanted.ReadOnly) is { } reason)
            {
                Refusals.Add(reason);
            }
            else
            {
                ReadOnlyChanges.Add((target, wanted.Lun, wanted.ReadOnly));
            }
        }

        if (served.Offline != wanted.Offline)
        {
            OfflineChanges.Add((target, wanted.Lun, wanted.Offline));
        }

        Check(served.Removable == wanted.Removable, name + "removable changed");
        Check(served.Encrypted == wanted.Encrypted, name + "encrypted changed");
        Check(served.SanitizeBytesPerSecond == wanted.SanitizeBytesPerSecond, name + "sanitize rate changed");
        Check(served.Serial == wanted.Serial, name + "serial changed");
        if (wanted.Backend == LunBackend.Rbd)
        {
            // The image's own size is served and followed live (`rbd resize`); there is no size to compare.
            Check(SameRbd(served.Rbd, wanted.Rbd), name + "rbd image or cluster changed");
            return;
        }

        if (wanted.SizeBytes < servedBytes)
        {
            Refusals.Add($"{name}size {ByteSize.Describe(wanted.SizeBytes)} is smaller than the {ByteSize.Describe(servedBytes)} served; a LUN only grows");
        }
        else if (wanted.SizeBytes > servedBytes)
        {
            if (server.CheckLunGrowth(target, wanted.Lun, wanted.SizeBytes) is { } reason)
            {
                Refusals.Add(reason);
            }
            else
            {
                Growths.Add((target, wanted.Lun, wanted.SizeBytes));
            }
        }
    }

    private static bool SameRbd(RbdLunOptions? served, RbdLunOptions? wanted) =>
        served is null || wanted is null
            ? served == wanted
            : served.Pool == wanted.Pool && served.Image == wanted.Image && served.CephConf == wanted.CephConf
              && served.MonitorHost == wanted.MonitorHost && served.Client == wanted.Client && served.Keyring == wanted.Keyring;

    private void Check(bool same, string change)
    {
        if (!same)
        {
            Refusals.Add(change + Restart);
        }
    }

    private static bool SameChap(ChapOptions? a, ChapOptions? b) =>
        a is null ? b is null : b is not null && a.User == b.User && a.Secret == b.Secret;

    private static bool SameSet(List<string> a, List<string> b) =>
        new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);

    private static TargetOptions? Find(List<TargetOptions> targets, string name) =>
        targets.Find(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    private static LunOptions? Find(List<LunOptions> luns, ulong lun) => luns.Find(l => l.Lun == lun);
}
