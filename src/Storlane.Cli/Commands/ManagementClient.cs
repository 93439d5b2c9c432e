using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Storlane.Cli.Configuration;
using Storlane.Management;

namespace Storlane.Cli.Commands;

/// <summary>
/// A client of serve's management API over its Unix socket: finds the socket where serve would
/// put it (or takes --api), and turns "nobody there" and refusals into one clear line.
/// </summary>
internal sealed partial class ManagementClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    private ManagementClient(string socketPath)
    {
        SocketPath = socketPath;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://storlane"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string SocketPath { get; }

    /// <summary>The --api socket, else the first default place that has one (see <see cref="StorlaneFolders.ApiSocketCandidates"/>).</summary>
    public static ManagementClient Open(string? api)
    {
        if (api is not null)
        {
            return new ManagementClient(Path.GetFullPath(api));
        }

        var candidates = StorlaneFolders.ApiSocketCandidates(StorlaneFolders.FromProcess);
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return new ManagementClient(candidate);
            }
        }

        return new ManagementClient(candidates[0]);
    }

    /// <exception cref="ManagementClientException">No server, a refusal, or an answer that is not the API's.</exception>
    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        RequestAsync<T>(HttpMethod.Get, path, body: null, static (socket, path, status, reason) => $"{socket} refused {path}: {status} {reason}", cancellationToken);

    /// <summary>One request and its JSON answer; every failure becomes a <see cref="ManagementClientException"/>, a refusal worded by <paramref name="refused"/> (socket, path, status, the API's reason).</summary>
    private async Task<T> RequestAsync<T>(HttpMethod method, string path, object? body, Func<string, string, int, string, string> refused, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or null)
        {
            throw new ManagementClientException($"no storlane serve is listening on {SocketPath} (give its socket with --api PATH)");
        }
        catch (HttpRequestException e)
        {
            throw new ManagementClientException($"cannot reach {SocketPath}: {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var reason = await ErrorOf(response, cancellationToken).ConfigureAwait(false);
                throw new ManagementClientException(refused(SocketPath, path, (int)response.StatusCode, reason));
            }

            try
            {
                return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
                    ?? throw new ManagementClientException($"{SocketPath} answered {path} with nothing");
            }
            catch (JsonException e)
            {
                throw new ManagementClientException($"{SocketPath} answered {path} with something that is not the management API's JSON: {e.Message}");
            }
        }
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<ApiError>(Json, cancellationToken).ConfigureAwait(false))?.Error ?? response.ReasonPhrase ?? string.Empty;
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? string.Empty;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The API could not be used; the message is the one line the user sees.</summary>
internal sealed class ManagementClientException : Exception
{
    public ManagementClientException(string message)
        : base(message)
    {
    }
}
