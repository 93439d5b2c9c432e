using System.Net.Http.Headers;
using Storlane.Management;

namespace Storlane.Cli.Commands;

/// <summary>The change side of the client: a bearer token, and requests that change something.</summary>
internal sealed partial class ManagementClient
{
    /// <summary>Where a bearer token is taken from when --token is not given.</summary>
    public const string TokenVariable = "STORLANE_API_TOKEN";

    /// <summary>Sends <paramref name="token"/> (else $STORLANE_API_TOKEN) as the bearer token; without one the API judges the socket peer (root or serve's own user is admin).</summary>
    public ManagementClient WithToken(string? token)
    {
        token ??= Environment.GetEnvironmentVariable(TokenVariable);
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return this;
    }

    /// <exception cref="ManagementClientException">No server, or the change was refused (the API's own sentence).</exception>
    public Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        RequestAsync<T>(method, path, body, static (_, _, status, reason) => $"refused ({status}): {reason}", cancellationToken);

    /// <summary>A change whose answer is <see cref="ChangeResponse"/>.</summary>
    public Task<ChangeResponse> ChangeAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<ChangeResponse>(method, path, body, cancellationToken);
}
