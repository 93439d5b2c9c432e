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
internal sealed class ConfigReloader : IDisposable
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
    public ConfigReloader(IscsiTargetServer server, ServeConfig served, ServeSettings settings, ILogger logger)
    {
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

    /// <summary>Loads the file and applies its portals and LUN growth, or nothing; every outcome is logged.</summary>
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
            try
            {
                config = ConfigLoader.LoadServeFile(path, _settings.DataDirectory);
            }
            catch (ConfigException e)
            {
                CliLog.ReloadRefused(_logger, string.Join("; ", e.Errors));
                return;
            }

            var options = config.Target;
            var plan = ReloadPlan.Compare(_served, config, (target, lun) => _sizes.GetValueOrDefault(Key(target, lun)), _server);
            if (plan.Refusals.Count > 0)
            {
                CliLog.ReloadRefused(_logger, string.Join("; ", plan.Refusals));
                return;
            }

            if (!ApplyPortals(options))
            {
                return;
            }

            var states = ApplyAluaStates(plan);
            var grown = await GrowLunsAsync(plan).ConfigureAwait(false);
            _served = config;
            CliLog.Reloaded(_logger, Endpoints(), (grown.Count == 0 ? "no LUN size changed" : "grown: " + string.Join(", ", grown)) + states);
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Applies the new portal list; when a bind fails, puts the old list back and refuses the reload.</summary>
    private bool ApplyPortals(TargetServerOptions options)
    {
        var failures = _server.UpdatePortals(options.Portals);
        if (failures.Count == 0)
        {
            return true;
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

        CliLog.ReloadRefused(_logger, string.Join("; ", reasons));
        return false;
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
            applied += $"; portal group {group}: {AluaStateNames.Name(state)}";
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
