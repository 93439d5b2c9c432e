using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Cli.Serving.Changes;
using Storlane.Management;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// Runs `storlane serve`: load and validate the config, start the target, announce it (and tell
/// systemd READY=1 once every portal listens), wait for a stop signal (SIGHUP meanwhile reloads
/// portals and grows LUNs), stop gracefully. Failures before the target runs are one clear line on
/// stderr, and a failed start removes the LUN images it had just created.
/// </summary>
internal sealed class ServeRunner
{
    /// <summary>How long a graceful stop may take before in-flight commands are cut off.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly ServeSettings _settings;
    private readonly TextWriter _error;
    private readonly ILoggerFactory? _loggerFactory;

    /// <param name="loggerFactory">Where the log goes; null: the console at the settings' level.</param>
    public ServeRunner(ServeSettings settings, TextWriter error, ILoggerFactory? loggerFactory = null)
    {
        _settings = settings;
        _error = error;
        _loggerFactory = loggerFactory;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        ServeConfig config;
        string? yaml = null;
        try
        {
            if (_settings.ConfigPath is { } path)
            {
                (yaml, config) = ConfigLoader.LoadServeFileWithText(path, _settings.DataDirectory);
            }
            else
            {
                config = ConfigLoader.LoadServeDefault(_settings.DataDirectory);
            }
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                await _error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.ConfigError;
        }

        var options = config.Target;
        using var ownLoggerFactory = _loggerFactory is null ? ConsoleLogging.Create(_settings.LogLevels) : null;
        var loggerFactory = _loggerFactory ?? ownLoggerFactory!;

        // Beside the console from the first line, so a bind that fails at start is listed too.
        config.Management.Events = new RecentEvents();
        loggerFactory.AddProvider(config.Management.Events);
        var logger = loggerFactory.CreateLogger("storlane");
        CliLog.ConfigLoaded(logger, _settings.ConfigPath ?? "built-in default", Path.GetFullPath(_settings.DataDirectory));
        ServeAnnouncer.WarnBeyondLoopback(logger, options);

        using var signals = new ShutdownSignals();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, cancellationToken);
        var server = new IscsiTargetServer(options, loggerFactory);
        var newFiles = NewLunFiles.Before(options);
        try
        {
            await server.StartAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Asked to stop while starting: nothing was served yet, so that is a clean stop.
            await TryDisposeAsync(server).ConfigureAwait(false);
            RemoveNewFiles(newFiles);
            CliLog.Stopped(logger);
            return ExitCodes.Success;
        }
        catch (Exception e)
        {
            await _error.WriteLineAsync(StartFailure(e)).ConfigureAwait(false);
            await TryDisposeAsync(server).ConfigureAwait(false);
            RemoveNewFiles(newFiles);
            return ExitCodes.Failure;
        }

        Nvme.Target.NvmeTcpServer? nvme;
        try
        {
            nvme = await NvmeServing.StartAsync(config, server, loggerFactory, logger, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await _error.WriteLineAsync(e is OperationCanceledException ? "storlane: stopped while starting NVMe/TCP" : $"storlane: cannot start NVMe/TCP: {OneLine(e.Message)}").ConfigureAwait(false);
            await TryDisposeAsync(server).ConfigureAwait(false);
            RemoveNewFiles(newFiles);
            return e is OperationCanceledException ? ExitCodes.Success : ExitCodes.Failure;
        }

        // Before the API: its change endpoints apply through the reloader, under the same lock as SIGHUP.
        using var reloader = new ConfigReloader(server, config, yaml, _settings, logger) { AnaChanged = nvme is null ? null : nvme.NotifyAnaChange, Nvme = nvme };
        config.Management.Changes = new ConfigChangeService(reloader);
        ManagementServer api;
        try
        {
            api = await ManagementServer.StartAsync(server, config.Management, config.Management.Socket ?? _settings.ApiSocket, loggerFactory, stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ManagementStartException or OperationCanceledException)
        {
            if (e is ManagementStartException)
            {
                await _error.WriteLineAsync($"storlane: cannot start the management API: {OneLine(e.Message)}").ConfigureAwait(false);
            }

            if (nvme is not null)
            {
                await nvme.DisposeAsync().ConfigureAwait(false);
            }

            await TryDisposeAsync(server).ConfigureAwait(false);
            RemoveNewFiles(newFiles);
            return e is ManagementStartException ? ExitCodes.Failure : ExitCodes.Success;
        }

        // The API's assemblies hold descriptors the target's connection limit did not count.
        server.RecountDescriptors();
        ServeAnnouncer.Announce(logger, options, server.ListeningPortals);
        Notify(logger, "READY=1\nSTATUS=" + ServeAnnouncer.ReadyStatus(options, server.ListeningPortals));
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The normal way out: a signal or the caller asked to stop.
        }

        CliLog.Stopping(logger, signals.Token.IsCancellationRequested ? signals.Received : "cancellation");
        Notify(logger, "STOPPING=1");
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            // The API first: no caller may see (or act on) a target half stopped.
            await api.StopAsync(grace.Token).ConfigureAwait(false);

            // NVMe/TCP before iSCSI: the iSCSI server owns the devices both use and closes them.
            if (nvme is not null)
            {
                await nvme.StopAsync(grace.Token).ConfigureAwait(false);
            }

            await server.StopAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            CliLog.StopFailed(logger, e);
            return ExitCodes.Failure;
        }

        CliLog.Stopped(logger);
        return ExitCodes.Success;
    }

    private void Notify(ILogger logger, string state)
    {
        if (!SystemdNotify.TrySend(_settings.NotifySocket, state, out var error))
        {
            CliLog.NotifyFailed(logger, _settings.NotifySocket!, error!);
        }
    }

    private void RemoveNewFiles(NewLunFiles newFiles)
    {
        foreach (var removed in newFiles.Remove())
        {
            _error.WriteLine($"storlane: removed {removed}, created by the failed start");
        }
    }

    private static string StartFailure(Exception e) => e switch
    {
        TargetStartException => $"storlane: cannot start: {OneLine(e.Message)}",
        _ => $"storlane: cannot start: {e.GetType().Name}: {OneLine(e.Message)}",
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Releases whatever a failed start had opened; a second failure would only hide the first.</summary>
    private static async Task TryDisposeAsync(IscsiTargetServer server)
    {
        try
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reporting the start failure.
        }
    }
}
