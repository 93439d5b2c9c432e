using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// SIGHUP re-reads the config file and applies, live, what can change without a restart: the portal
/// list (<see cref="IscsiTargetServer.UpdatePortals"/>) and larger LUN sizes
/// (<see cref="IscsiTargetServer.GrowLunAsync"/>). A file with errors changes nothing; other target
/// and LUN changes wait for the next start.
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

    public ConfigReloader(IscsiTargetServer server, ServeSettings settings, ILogger logger)
    {
        _server = server;
        _settings = settings;
        _logger = logger;
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

    /// <summary>Loads the file and applies its portals and LUN growth; every outcome is logged.</summary>
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
            TargetServerOptions options;
            try
            {
                options = ConfigLoader.LoadFile(path, _settings.DataDirectory);
            }
            catch (ConfigException e)
            {
                CliLog.ReloadRefused(_logger, string.Join("; ", e.Errors));
                return;
            }

            ApplyPortals(options);
            await GrowLunsAsync(options).ConfigureAwait(false);
        }
        finally
        {
            _reloading.Release();
        }
    }

    private void ApplyPortals(TargetServerOptions options)
    {
        try
        {
            foreach (var (portal, error) in _server.UpdatePortals(options.Portals))
            {
                CliLog.ReloadRefused(_logger, $"portal {portal}: cannot listen ({error.SocketErrorCode}: {error.Message})");
            }
        }
        catch (ArgumentException e)
        {
            CliLog.ReloadRefused(_logger, e.Message);
            return;
        }

        var endpoints = new List<string>();
        foreach (var endpoint in _server.BoundEndpoints)
        {
            endpoints.Add(endpoint.ToString());
        }

        CliLog.Reloaded(_logger, endpoints.Count == 0 ? "nothing yet" : string.Join(", ", endpoints));
    }

    /// <summary>A LUN whose configured size grew is grown live; one that shrank is refused (that would drop data).</summary>
    private async Task GrowLunsAsync(TargetServerOptions options)
    {
        foreach (var target in options.Targets)
        {
            foreach (var lun in target.Luns)
            {
                if (!_sizes.TryGetValue(Key(target.Name, lun.Lun), out var current) || lun.SizeBytes == current)
                {
                    continue;
                }

                if (lun.SizeBytes < current)
                {
                    CliLog.ReloadRefused(_logger, $"{target.Name} LUN {lun.Lun}: size {SizeParser.Format(lun.SizeBytes)} is smaller than the {SizeParser.Format(current)} served; a LUN only grows");
                    continue;
                }

                try
                {
                    await _server.GrowLunAsync(target.Name, lun.Lun, lun.SizeBytes).ConfigureAwait(false);
                    _sizes[Key(target.Name, lun.Lun)] = lun.SizeBytes;
                }
                catch (ArgumentException e)
                {
                    CliLog.ReloadRefused(_logger, e.Message);
                }
            }
        }
    }

    private static string Key(string target, ulong lun) => target + "/" + lun.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _registration?.Dispose();
        _reloading.Dispose();
    }
}
