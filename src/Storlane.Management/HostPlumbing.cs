using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Storlane.Management;

/// <summary>
/// `storlane serve` owns SIGINT/SIGTERM (its graceful stop flushes LUNs), so the API's host must
/// not install the console lifetime's handlers: it starts and stops when serve says.
/// </summary>
internal sealed class ServeOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Sends ASP.NET Core's own log events into serve's logger factory, so one log holds everything.</summary>
internal sealed class ForwardingLoggerProvider : ILoggerProvider
{
    private readonly ILoggerFactory _factory;

    public ForwardingLoggerProvider(ILoggerFactory factory)
    {
        _factory = factory;
    }

    public ILogger CreateLogger(string categoryName) => _factory.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory belongs to serve.
    }
}
