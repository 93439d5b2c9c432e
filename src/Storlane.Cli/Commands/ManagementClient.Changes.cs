using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
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
    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
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
                throw new ManagementClientException($"refused ({(int)response.StatusCode}): {reason}");
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

    /// <summary>A change whose answer is <see cref="ChangeResponse"/>.</summary>
    public Task<ChangeResponse> ChangeAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<ChangeResponse>(method, path, body, cancellationToken);
}
