using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// SIGHUP re-reads the config file and applies its portal list live (<see cref="IscsiTargetServer.UpdatePortals"/>):
/// the way to move a target to new addresses without a restart. A file with errors changes nothing.
/// </summary>
internal sealed class PortalReloader : IDisposable
{
    private readonly IscsiTargetServer _server;
    private readonly ServeSettings _settings;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration? _registration;
    private readonly Lock _reloading = new();

    public PortalReloader(IscsiTargetServer server, ServeSettings settings, ILogger logger)
    {
        _server = server;
        _settings = settings;
        _logger = logger;

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
        _ = Task.Run(Reload);
    }

    /// <summary>Loads the file and applies its portals; every outcome is logged.</summary>
    public void Reload()
    {
        lock (_reloading)
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

            try
            {
                var failures = _server.UpdatePortals(options.Portals);
                foreach (var (portal, error) in failures)
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
    }

    public void Dispose() => _registration?.Dispose();
}
