using System.Net;
using Microsoft.AspNetCore.Http;

namespace Storlane.Management.Tests;

/// <summary>monitor reads, admin changes: a wrong or missing token is 401, a monitor on a change 403.</summary>
public class RoleTests
{
    /// <summary>Every change endpoint of API v1 (grows with the API).</summary>
    public static readonly TheoryData<string> ChangeEndpoints = new() { "/api/v1/sessions/1/logout" };

    public static readonly TheoryData<string> ReadEndpoints = new() { "/api/v1/targets", "/api/v1/sessions", "/metrics" };

    [Theory]
    [MemberData(nameof(ChangeEndpoints))]
    public async Task Change_WithMonitorToken_Is403AndLogged(string path)
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.MonitorToken);
        var response = await client.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains(host.Log.Lines, line => line.Contains("refused POST " + path + " to token grafana", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ChangeEndpoints))]
    [MemberData(nameof(ReadEndpoints))]
    public async Task AnyEndpoint_WithWrongToken_Is401(string path)
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client("not-a-token");
        var response = path.EndsWith("/logout", StringComparison.Ordinal) ? await client.PostAsync(path, null) : await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task Read_WithMonitorToken_IsAllowed(string path)
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.MonitorToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Change_WithAdminToken_PassesTheGate()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.AdminToken);

        // No session 1 exists: the gate let the call through to the endpoint, which says so.
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/sessions/1/logout", null)).StatusCode);
    }

    [Fact]
    public async Task Change_FromTheServersOwnUserWithoutToken_IsAdmin()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(token: null);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/sessions/1/logout", null)).StatusCode);
        Assert.Contains(host.Log.Lines, line => line.StartsWith("Audit: uid ", StringComparison.Ordinal) && line.Contains("log out session 1: refused: no such session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoTokenAndNoUnixPeer_Is401()
    {
        var gate = new RoleGate(new CallerResolver([new ApiToken("ops", ApiRole.Admin, ApiHost.Hash(ApiHost.AdminToken))]), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var reached = false;
        await gate.InvokeAsync(context, _ =>
        {
            reached = true;
            return Task.CompletedTask;
        });
        Assert.False(reached);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }
}
