using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Storlane.Management.Tests;

/// <summary>
/// The OpenAPI document describes the API, and the roles hold on every operation it lists: a
/// monitor token gets 403 on each change (anything but GET), a missing or wrong token 401 on
/// everything. The operations come from the document, so endpoints added later are covered too.
/// </summary>
public partial class OpenApiRoleTests
{
    [Fact]
    public async Task Document_IsServedToMonitor_AndListsTheReadAndChangeEndpoints()
    {
        await using var host = await ApiHost.StartAsync();
        var operations = await OperationsAsync(host);
        Assert.Contains((HttpMethod.Get, "/api/v1/targets"), operations);
        Assert.Contains((HttpMethod.Get, "/api/v1/sessions"), operations);
        Assert.Contains((HttpMethod.Post, "/api/v1/sessions/{tsih}/logout"), operations);
    }

    [Fact]
    public async Task EveryChangeOperation_WithMonitorToken_Is403AndLogged()
    {
        await using var host = await ApiHost.StartAsync();
        var changes = (await OperationsAsync(host)).Where(o => o.Method != HttpMethod.Get).ToList();
        Assert.NotEmpty(changes);
        using var client = host.Client(ApiHost.MonitorToken);
        foreach (var (method, template) in changes)
        {
            var path = Concrete(template);
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with a monitor token answered {(int)response.StatusCode}, not 403");
            Assert.Contains(host.Log.Lines, line => line.Contains($"refused {method} {path} to token grafana", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("")]
    public async Task EveryOperation_WithMissingOrWrongToken_Is401(string? token)
    {
        await using var host = await ApiHost.StartAsync();
        var operations = await OperationsAsync(host);
        operations.Add((HttpMethod.Get, "/metrics"));
        operations.Add((HttpMethod.Get, OpenApiDocument.Path));

        // No token over TLS: on the Unix socket the kernel would vouch for this process's own user.
        using var client = token is null ? host.TlsClient(token: null) : RawTokenClient(host, token);
        foreach (var (method, template) in operations)
        {
            var path = Concrete(template);
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with token '{token ?? "(none)"}' answered {(int)response.StatusCode}, not 401");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    /// <summary>Every (method, path template) the document lists, read with a monitor token.</summary>
    internal static async Task<List<(HttpMethod Method, string Template)>> OperationsAsync(ApiHost host)
    {
        using var client = host.Client(ApiHost.MonitorToken);
        using var response = await client.GetAsync(OpenApiDocument.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var operations = new List<(HttpMethod, string)>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is not ("parameters" or "summary" or "description" or "servers"))
                {
                    operations.Add((new HttpMethod(operation.Name.ToUpperInvariant()), path.Name));
                }
            }
        }

        return operations;
    }

    /// <summary>A path to call for a template: each {parameter} becomes 1 (the gate answers before any binding).</summary>
    private static string Concrete(string template) => Parameter().Replace(template, "1");

    private static HttpClient RawTokenClient(ApiHost host, string token)
    {
        var client = host.Client(token: null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return client;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
