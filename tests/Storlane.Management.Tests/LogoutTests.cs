using System.Net;
using System.Text.Json;
using Storlane.Initiator.Session;

namespace Storlane.Management.Tests;

/// <summary>POST /api/v1/sessions/{tsih}/logout ends that session only, and the audit log says who did it.</summary>
public class LogoutTests
{
    [Fact]
    public async Task Logout_EndsThatSessionOnly_AndIsAudited()
    {
        await using var host = await ApiHost.StartAsync();
        await using var doomed = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        await using var kept = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        using var client = host.Client(ApiHost.AdminToken);

        var response = await client.PostAsync($"/api/v1/sessions/{doomed.Tsih}/logout", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await doomed.Terminated.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(doomed.IsConnected);
        Assert.True(kept.IsConnected);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/sessions"));
        var left = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(kept.Tsih, left.GetProperty("tsih").GetUInt16());
        Assert.Contains(host.Log.Lines, line => line.Contains($"Audit: token ops (Admin) log out session {doomed.Tsih}: done", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("abc")]
    public async Task Logout_NotATsih_IsBadRequest(string tsih)
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.AdminToken);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/api/v1/sessions/{tsih}/logout", null)).StatusCode);
    }
}
