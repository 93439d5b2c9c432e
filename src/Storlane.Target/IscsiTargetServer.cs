using System.Net;
using Microsoft.Extensions.Logging;

namespace Storlane.Target;

/// <summary>
/// The iSCSI target: opens every LUN's device, listens on every portal, serves sessions until
/// stopped. Stop finishes or aborts in-flight commands and flushes every device.
/// </summary>
public sealed partial class IscsiTargetServer : IAsyncDisposable
{
    public IscsiTargetServer(TargetServerOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        LoggerFactory = loggerFactory;
    }

    public TargetServerOptions Options { get; }

    internal ILoggerFactory LoggerFactory { get; }

    /// <summary>The endpoints actually bound, in portal order (a portal with port 0 gets an ephemeral port).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints => throw new NotImplementedException();

    /// <summary>Opens the LUNs and binds every portal; throws <see cref="TargetStartException"/> with a clear reason.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public Task StopAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}

/// <summary>The target could not start: a portal would not bind, a LUN file would not open, the options are inconsistent.</summary>
public sealed class TargetStartException : Exception
{
    public TargetStartException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
