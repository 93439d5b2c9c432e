using System.Net;
using System.Net.Sockets;

namespace Storlane.Lab.Topology;

/// <summary>Waits until a freshly started target accepts TCP on every portal, or says why it never will.</summary>
internal static class PortalProbe
{
    /// <summary>Starting dotnet on a loaded 2-core machine can take several seconds; a minute means it is stuck.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    public static async Task WaitUntilListeningAsync(LabProcess target, IReadOnlyList<IPEndPoint> portals, ILabHostAccess storageHost, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        var next = 0;
        while (next < portals.Count)
        {
            if (target.Exited.IsCompleted)
            {
                throw new LabTopologyException(
                    $"the target exited with code {await target.Exited.ConfigureAwait(false)} before it listened on {portals[next]}: {Tail(target.StandardError, target.StandardOutput)}");
            }

            try
            {
                if (await AcceptsAsync(portals[next], storageHost, deadline.Token).ConfigureAwait(false))
                {
                    next++;
                    continue;
                }

                await Task.Delay(RetryDelay, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new LabTopologyException(
                    $"the target did not listen on {portals[next]} within {StartTimeout.TotalSeconds:0} s: {Tail(target.StandardError, target.StandardOutput)}");
            }
        }
    }

    private static async Task<bool> AcceptsAsync(IPEndPoint portal, ILabHostAccess storageHost, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        var (socket, connect) = storageHost.RunOnStorageHost(() =>
        {
            var probe = new Socket(portal.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            return (probe, probe.ConnectAsync(portal, attempt.Token).AsTask());
        });
        using (socket)
        {
            try
            {
                await connect.ConfigureAwait(false);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private static string Tail(string standardError, string standardOutput)
    {
        var text = (standardError.Trim().Length > 0 ? standardError : standardOutput).Trim();
        if (text.Length == 0)
        {
            return "(no output)";
        }

        return text.Length <= 2000 ? text : "..." + text[^2000..];
    }
}
