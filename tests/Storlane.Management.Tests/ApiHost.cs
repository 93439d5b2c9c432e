using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Storlane.Target;

namespace Storlane.Management.Tests;

/// <summary>
/// A serve-like host in-process: Storlane's target on loopback with two memory LUNs and the
/// management API on a Unix socket in a fresh folder and over TLS on a loopback port, with one
/// monitor and one admin token.
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    public const string TargetName = "iqn.2026-11.io.storlane:management-tests";
    public const string MonitorToken = "monitor-token-0123456789";
    public const string AdminToken = "admin-token-9876543210";

    private readonly string _folder;

    private ApiHost(string folder, IscsiTargetServer target, ManagementServer api, CollectingLoggerFactory log)
    {
        _folder = folder;
        Target = target;
        Api = api;
        Log = log;
    }

    public IscsiTargetServer Target { get; }

    public ManagementServer Api { get; }

    public CollectingLoggerFactory Log { get; }

    public int Port => Target.BoundEndpoints[0].Port;

    public static async Task<ApiHost> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("storlane-api-").FullName;
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        var target = new TargetOptions { Name = TargetName, Alias = "api tests" };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.Memory, SizeBytes = 16 << 20, LogicalBlockSize = 512, PhysicalBlockSize = 4096 });
        target.Luns.Add(new LunOptions { Lun = 1, Backend = LunBackend.Memory, SizeBytes = 8 << 20, LogicalBlockSize = 4096, PhysicalBlockSize = 4096, ReadOnly = true });
        options.Targets.Add(target);

        var log = new CollectingLoggerFactory();
        var server = new IscsiTargetServer(options, log);
        await server.StartAsync();
        var management = new ManagementOptions();
        management.Tokens.Add(new ApiToken("grafana", ApiRole.Monitor, Hash(MonitorToken)));
        management.Tokens.Add(new ApiToken("ops", ApiRole.Admin, Hash(AdminToken)));
        management.Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0);
        management.Certificate = TestCertificate.Certificate;
        management.Key = TestCertificate.Key;
        var api = await ManagementServer.StartAsync(server, management, Path.Combine(folder, "run", "api.sock"), log);
        return new ApiHost(folder, server, api, log);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>An HTTP client over the API's Unix socket; <paramref name="token"/> null sends no Authorization header.</summary>
    public HttpClient Client(string? token) => UnixClient(Api.SocketPath, token);

    public static HttpClient UnixClient(string socketPath, string? token)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri("http://storlane") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>An HTTPS client of the TLS listener that trusts exactly the test certificate.</summary>
    public HttpClient TlsClient(string? token)
    {
        var expected = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(TestCertificate.CertificatePath));
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == expected.GetCertHashString() },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://{Api.TlsEndpoint}") };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Target.DisposeAsync();
        Log.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>Keeps every formatted log line, so tests can read the audit trail.</summary>
internal sealed class CollectingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Collector(_lines);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Collector(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}
