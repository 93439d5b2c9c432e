using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Storlane.Target;
using Storlane.Target.Observability;

namespace Storlane.Management;

/// <summary>
/// The management API inside `storlane serve`: HTTP/JSON on an owner-only Unix socket, with
/// roles (<see cref="RoleGate"/>), the target's views and the Prometheus /metrics endpoint.
/// Started after the target, stopped before it.
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private ManagementServer(WebApplication app, string socketPath, System.Net.IPEndPoint? tlsEndpoint)
    {
        _app = app;
        SocketPath = socketPath;
        TlsEndpoint = tlsEndpoint;
    }

    public string SocketPath { get; }

    /// <summary>Where the TLS listener is bound (the config's <c>listen</c>), or null without one.</summary>
    public System.Net.IPEndPoint? TlsEndpoint { get; }

    /// <exception cref="ManagementStartException">The socket cannot be used (another server on it, a path too long, ...).</exception>
    public static async Task<ManagementServer> StartAsync(IscsiTargetServer target, ManagementOptions options, string socketPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var logger = loggerFactory.CreateLogger("Storlane.Management");
        socketPath = Path.GetFullPath(socketPath);
        ApiSocketFile.Prepare(socketPath, logger);
        var certificate = options.Listen is null ? null : TlsListener.LoadCertificate(options.Certificate!, options.Key!);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // Only what serve's config says: no appsettings.json, no ASPNETCORE_URLS opening a port.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, ServeOwnedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socketPath);
            if (options.Listen is { } endpoint)
            {
                TlsListener.Listen(kestrel, endpoint, certificate!);
            }
        });
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TargetMetrics.MeterName)
            .AddView(instrument => target.Metrics is { } own && instrument.Meter.Name == TargetMetrics.MeterName && !own.Owns(instrument) ? MetricStreamConfiguration.Drop : null)
            .AddPrometheusExporter());
        OpenApiDocument.AddServices(builder.Services);

        var app = builder.Build();
        var gate = new RoleGate(new CallerResolver(options.Tokens), logger);
        app.UseRouting();
        app.Use(gate.InvokeAsync);
        ApiEndpoints.Map(app, target, logger);
        ChangeEndpoints.Map(app, target, options.Changes, logger);
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new RequiresRole(ApiRole.Monitor));
        OpenApiDocument.Map(app);
        DashboardEndpoints.Map(app, target);
        app.MapGet("/api/v1/events", () => Results.Ok(options.Events?.Snapshot() ?? []))
            .WithMetadata(new RequiresRole(ApiRole.Monitor)).WithName("RecentEvents")
            .WithSummary("The last 256 warnings, errors and path events (ALUA changes, sessions reinstated or ended, LUNs offline), oldest first");

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            ApiSocketFile.RestrictToOwner(socketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ManagementStartException($"cannot listen on the management socket {socketPath}{(options.Listen is null ? "" : " or on " + options.Listen)}: {e.Message}", e);
        }

        ManagementLog.Listening(logger, socketPath);
        var tls = TlsListener.Bound(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>());
        if (tls is not null)
        {
            ManagementLog.ListeningTls(logger, tls);
        }

        return new ManagementServer(app, socketPath, tls);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            TryDelete(SocketPath);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is found stale and removed at the next start.
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
