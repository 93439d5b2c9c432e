using Microsoft.Extensions.Logging;
using Storlane.Cli.Configuration;
using Storlane.Cli.Logging;
using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// Runs `storlane serve`: load and validate the config, start the target, announce it, wait for a
/// stop signal (SIGHUP meanwhile reloads portals and grows LUNs), stop gracefully. Failures before the target runs are one clear line on stderr.
/// </summary>
internal sealed class ServeRunner
{
    /// <summary>How long a graceful stop may take before in-flight commands are cut off.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly ServeSettings _settings;
    private readonly TextWriter _error;

    public ServeRunner(ServeSettings settings, TextWriter error)
    {
        _settings = settings;
        _error = error;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        TargetServerOptions options;
        try
        {
            options = _settings.ConfigPath is { } path
                ? ConfigLoader.LoadFile(path, _settings.DataDirectory)
                : ConfigLoader.LoadDefault(_settings.DataDirectory);
        }
        catch (ConfigException e)
        {
            foreach (var error in e.Errors)
            {
                await _error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.ConfigError;
        }

        using var loggerFactory = ConsoleLogging.Create(_settings.LogLevel);
        var logger = loggerFactory.CreateLogger("storlane");
        CliLog.ConfigLoaded(logger, _settings.ConfigPath ?? "built-in default", Path.GetFullPath(_settings.DataDirectory));
        ServeAnnouncer.WarnBeyondLoopback(logger, options);

        using var signals = new ShutdownSignals();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, cancellationToken);
        var server = new IscsiTargetServer(options, loggerFactory);
        try
        {
            await server.StartAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Asked to stop while starting: nothing was served yet, so that is a clean stop.
            await TryDisposeAsync(server).ConfigureAwait(false);
            CliLog.Stopped(logger);
            return ExitCodes.Success;
        }
        catch (Exception e)
        {
            await _error.WriteLineAsync(StartFailure(e)).ConfigureAwait(false);
            await TryDisposeAsync(server).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        ServeAnnouncer.Announce(logger, options, server.ListeningPortals);
        using var reloader = new ConfigReloader(server, _settings, logger);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The normal way out: a signal or the caller asked to stop.
        }

        CliLog.Stopping(logger, signals.Token.IsCancellationRequested ? signals.Received : "cancellation");
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
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
