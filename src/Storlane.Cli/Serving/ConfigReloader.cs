using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Storage;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// SIGHUP re-reads the config file and applies, live, what can change without a restart: the portal
/// list (<see cref="IscsiTargetServer.UpdatePortals"/>), portal group ALUA states
/// (<see cref="IscsiTargetServer.SetPortalGroupState"/>) and larger LUN sizes
/// (<see cref="IscsiTargetServer.GrowLunAsync"/>). All or nothing: the whole file is judged first
/// (<see cref="ReloadPlan"/>), and a file with an error or with any change that needs a restart is
/// refused whole, naming each such change, with nothing applied; portals whose bind fails are rolled back.
/// </summary>
internal sealed partial class ConfigReloader : IDisposable
{
    private readonly IscsiTargetServer _server;
    private readonly ServeSettings _settings;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _registration;
    private readonly SemaphoreSlim _reloading = new(1, 1);

    // The size each LUN is served at now, by "target/lun".
    private readonly Dictionary<string, long> _sizes = new(StringComparer.OrdinalIgnoreCase);

    // The options served now: the start's, then each applied reload's.
    private ServeConfig _served;

    /// <param name="served">The config serve started with (its target part is what <paramref name="server"/> serves).</param>
    /// <param name="servedYaml">The text of the config file serve started from; null for the built-in default.</param>
    public ConfigReloader(IscsiTargetServer server, ServeConfig served, string? servedYaml, ServeSettings settings, ILogger logger)
    {
        ServedYaml = servedYaml;
        _server = server;
        _settings = settings;
        _logger = logger;
        _served = served;
        foreach (var target in server.Options.Targets)
        {
            foreach (var lun in target.Luns)
            {
                _sizes[Key(target.Name, lun.Lun)] = lun.SizeBytes;
            }
        }

        // SIGHUP does not exist on Windows; there the portals follow the host's addresses only.
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Without this the default action of SIGHUP would end the process.
        context.Cancel = true;
        _ = Task.Run(ReloadAsync);
    }

    /// <summary>The config served now, as its file's text (null when serve runs the built-in default).</summary>
    public string? ServedYaml { get; private set; }

    /// <summary>The config served now: the start's, then each applied reload's or change's.</summary>
    public ServeConfig Served => _served;

    public ServeSettings Settings => _settings;

    /// <summary>
    /// Called after an applied change moved an ALUA state (a portal group's, or a LUN's by taking it
    /// offline or online): NVMe/TCP reports it to hosts as an ANA change (NVMe base 2.0, 8.1.3.5).
    /// </summary>
    public Action? AnaChanged { get; init; }

    /// <summary>Loads the file and applies what it changes, or nothing; every outcome is logged.</summary>
    public async Task ReloadAsync()
    {
        await _reloading.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_settings.ConfigPath is not { } path)
            {
                CliLog.ReloadWithoutFile(_logger);
                return;
            }

            CliLog.Reloading(_logger, path);
            ServeConfig config;
            string yaml;
            try
            {
                (yaml, config) = ConfigLoader.LoadServeFileWithText(path, _settings.DataDirectory);
            }
            catch (ConfigException e)
            {
                CliLog.ReloadRefused(_logger, string.Join("; ", e.Errors));
                return;
            }

            var outcome = await ApplyLockedAsync(config, yaml).ConfigureAwait(false);
            if (outcome.Refusals.Count > 0)
            {
                CliLog.ReloadRefused(_logger, string.Join("; ", outcome.Refusals));
                return;
            }

            CliLog.Reloaded(_logger, Endpoints(), outcome.Summary);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Runs <paramref name="change"/> alone: no SIGHUP reload and no other change runs meanwhile.</summary>
    public async Task<T> ExclusiveAsync<T>(Func<Task<T>> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _reloading.WaitAsync().ConfigureAwait(false);
        try
        {
            return await change().ConfigureAwait(false);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="wanted"/> to the running target as one whole: judged first
    /// (<see cref="ReloadPlan"/>), then the steps that can fail (opening new LUNs, binding portals),
    /// undone if one fails, then the rest. The caller holds the lock (<see cref="ExclusiveAsync"/>).
    /// </summary>
    /// <param name="yaml">The text <paramref name="wanted"/> was read from; it becomes <see cref="ServedYaml"/>.</param>
    public async Task<ApplyOutcome> ApplyLockedAsync(ServeConfig wanted, string yaml)
    {
        var options = wanted.Target;
        var plan = ReloadPlan.Compare(_served, wanted, (target, lun) => _sizes.GetValueOrDefault(Key(target, lun)), _server);
        if (plan.Refusals.Count > 0)
        {
            return new ApplyOutcome(plan.Refusals, string.Empty);
        }

        var changes = new List<string>();
        if (await AddLunsAsync(plan, changes).ConfigureAwait(false) is { } addFailure)
        {
            return new ApplyOutcome([addFailure], string.Empty);
        }

        if ((ApplyPortals(options) ?? ApplyNvmePortals(wanted)) is { } portalFailure)
        {
            await UndoAdditionsAsync(plan).ConfigureAwait(false);
            return new ApplyOutcome([portalFailure], string.Empty);
        }

        changes.Add(ApplyAluaStates(plan));
        ApplyLunSettings(plan, changes);
        if (plan.AluaChanges.Count > 0 || plan.OfflineChanges.Count > 0)
        {
            AnaChanged?.Invoke();
        }

        ApplyAccess(plan, changes);
        await RemoveLunsAsync(plan, changes).ConfigureAwait(false);
        var grown = await GrowLunsAsync(plan).ConfigureAwait(false);
        changes.Insert(0, grown.Count == 0 ? "no LUN size changed" : "grown: " + string.Join(", ", grown));
        _served = wanted;
        ServedYaml = yaml;
        return new ApplyOutcome([], string.Join("; ", changes.Where(c => c.Length > 0)));
    }

    /// <summary>Opens and serves the new LUNs; when one cannot be opened, takes back those already added and says why.</summary>
    private async Task<string?> AddLunsAsync(ReloadPlan plan, List<string> changes)
    {
        for (var i = 0; i < plan.Additions.Count; i++)
        {
            var (target, lun) = plan.Additions[i];
            try
            {
                _server.AddLun(target, lun);
                _sizes[Key(target, lun.Lun)] = lun.SizeBytes;
            }
            catch (ArgumentException e)
            {
                for (var j = 0; j < i; j++)
                {
                    await _server.RemoveLunAsync(plan.Additions[j].Target, plan.Additions[j].Lun.Lun).ConfigureAwait(false);
                    _sizes.Remove(Key(plan.Additions[j].Target, plan.Additions[j].Lun.Lun));
                }

                return $"LUN {lun.Lun} of {target}: cannot be served: {e.Message}";
            }

            changes.Add($"LUN {lun.Lun} of {target} added ({ByteSize.Describe(lun.SizeBytes)})");
        }

        return null;
    }

    private async Task UndoAdditionsAsync(ReloadPlan plan)
    {
        foreach (var (target, lun) in plan.Additions)
        {
            await _server.RemoveLunAsync(target, lun.Lun).ConfigureAwait(false);
            _sizes.Remove(Key(target, lun.Lun));
        }
    }

    /// <summary>Read-only and offline: checked by the plan, so they cannot fail here.</summary>
    private void ApplyLunSettings(ReloadPlan plan, List<string> changes)
    {
        foreach (var (target, lun, readOnly) in plan.ReadOnlyChanges)
        {
            _server.SetLunReadOnly(target, lun, readOnly);
            changes.Add($"LUN {lun} of {target}: {(readOnly ? "read-only" : "writable")}");
        }

        foreach (var (target, lun, offline) in plan.OfflineChanges)
        {
            _server.SetLunOffline(target, lun, offline);
            changes.Add($"LUN {lun} of {target}: {(offline ? "offline" : "online")}");
        }
    }

    /// <summary>ACLs (ending the sessions of initiators no longer allowed) and CHAP credentials (for logins from now on).</summary>
    private void ApplyAccess(ReloadPlan plan, List<string> changes)
    {
        foreach (var (target, initiators) in plan.AclChanges)
        {
            var ended = _server.SetAllowedInitiators(target, initiators);
            changes.Add($"ACL of {target}: {(initiators.Count == 0 ? "every initiator" : string.Join(", ", initiators))}" + (ended.Count == 0 ? string.Empty : $" ({ended.Count} session(s) ended)"));
        }

        foreach (var (target, chap, mutualChap) in plan.ChapChanges)
        {
            _server.SetChap(target, chap, mutualChap);
            changes.Add($"CHAP of {target} replaced (new logins)");
        }
    }

    private async Task RemoveLunsAsync(ReloadPlan plan, List<string> changes)
    {
        foreach (var (target, lun) in plan.Removals)
        {
            await _server.RemoveLunAsync(target, lun).ConfigureAwait(false);
            _sizes.Remove(Key(target, lun));
            changes.Add($"LUN {lun} of {target} removed");
        }
    }

    /// <summary>Applies the new portal list; when a bind fails, puts the old list back and says why.</summary>
    private string? ApplyPortals(TargetServerOptions options)
    {
        var failures = _server.UpdatePortals(options.Portals);
        if (failures.Count == 0)
        {
            return null;
        }

        var reasons = new List<string>();
        foreach (var (portal, error) in failures)
        {
            reasons.Add($"portal {portal}: cannot listen ({error.SocketErrorCode}: {error.Message})");
        }

        foreach (var (portal, error) in _server.UpdatePortals(_served.Target.Portals))
        {
            reasons.Add($"and portal {portal} of the running config could not listen again ({error.SocketErrorCode}: {error.Message})");
        }

        return string.Join("; ", reasons);
    }

    /// <summary>
    /// The changed ALUA states, as implicit transitions: each tells every session (ASYMMETRIC ACCESS
    /// STATE CHANGED). They cannot fail: the plan checked every group exists. Returns them for the log.
    /// </summary>
    private string ApplyAluaStates(ReloadPlan plan)
    {
        var applied = string.Empty;
        foreach (var (group, state) in plan.AluaChanges)
        {
            _server.SetPortalGroupState(group, state);
            applied += (applied.Length == 0 ? string.Empty : "; ") + $"portal group {group}: {AluaStateNames.Name(state)}";
        }

        return applied;
    }

    /// <summary>Grows the LUNs the plan checked. A device error here is the only partial outcome a reload can have: it is logged as such.</summary>
    private async Task<List<string>> GrowLunsAsync(ReloadPlan plan)
    {
        var grown = new List<string>();
        foreach (var (target, lun, size) in plan.Growths)
        {
            try
            {
                await _server.GrowLunAsync(target, lun, size).ConfigureAwait(false);
                _sizes[Key(target, lun)] = size;
                grown.Add($"LUN {lun} of {target} to {ByteSize.Describe(size)}");
            }
            catch (ArgumentException e)
            {
                CliLog.ReloadGrowFailed(_logger, e.Message);
            }
        }

        return grown;
    }

    private string Endpoints()
    {
        var endpoints = new List<string>();
        foreach (var endpoint in _server.BoundEndpoints)
        {
            endpoints.Add(endpoint.ToString());
        }

        return endpoints.Count == 0 ? "nothing yet" : string.Join(", ", endpoints);
    }

    private static string Key(string target, ulong lun) => target + "/" + lun.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _registration?.Dispose();
        _reloading.Dispose();
    }
}

/// <summary>What applying a config did: nothing and why (<see cref="Refusals"/>), or the changes made.</summary>
internal sealed record ApplyOutcome(IReadOnlyList<string> Refusals, string Summary);
