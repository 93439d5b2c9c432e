using System.Net;
using System.Text.Json;
using Storlane.Initiator;
using Storlane.Initiator.Session;

namespace Storlane.Management.Tests;

/// <summary>GET /api/v1/targets and /api/v1/sessions show what the target serves and who is logged in now.</summary>
public class ReadEndpointTests
{
    [Fact]
    public async Task Targets_ShowPortalsWhatListensAndLunsWithGeometryAndAlua()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.MonitorToken);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));

        var portal = Assert.Single(json.RootElement.GetProperty("portals").EnumerateArray());
        Assert.Equal("127.0.0.1", portal.GetProperty("address").GetString());
        var listener = Assert.Single(portal.GetProperty("listening").EnumerateArray());
        Assert.Equal($"127.0.0.1:{host.Port}", listener.GetProperty("endpoint").GetString());

        var target = Assert.Single(json.RootElement.GetProperty("targets").EnumerateArray());
        Assert.Equal(ApiHost.TargetName, target.GetProperty("name").GetString());
        var luns = target.GetProperty("luns").EnumerateArray().ToList();
        Assert.Equal(2, luns.Count);
        Assert.Equal("memory", luns[0].GetProperty("backend").GetString());
        Assert.Equal(16 << 20, luns[0].GetProperty("sizeBytes").GetInt64());
        Assert.Equal(512, luns[0].GetProperty("logicalBlockSize").GetInt32());
        Assert.Equal(4096, luns[0].GetProperty("physicalBlockSize").GetInt32());
        Assert.False(luns[0].GetProperty("readOnly").GetBoolean());
        Assert.True(luns[1].GetProperty("readOnly").GetBoolean());
        var alua = Assert.Single(luns[0].GetProperty("alua").EnumerateArray());
        Assert.Equal(1, alua.GetProperty("group").GetInt32());
        Assert.Equal("active/optimized", alua.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Sessions_ShowAnInitiatorLoggedInWithItsConnectionAndWindow()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.MonitorToken);
        Assert.Equal("[]", await client.GetStringAsync("/api/v1/sessions"));

        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/sessions"));
        var seen = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(session.Tsih, seen.GetProperty("tsih").GetUInt16());
        Assert.Equal(ApiHost.TargetName, seen.GetProperty("targetName").GetString());
        Assert.Equal("normal", seen.GetProperty("type").GetString());
        Assert.Equal(session.Isid.ToString("x12"), seen.GetProperty("isid").GetString());
        Assert.Equal(session.Parameters.HeaderDigest ? "CRC32C" : "None", seen.GetProperty("headerDigest").GetString());
        Assert.Equal(session.Parameters.DataDigest ? "CRC32C" : "None", seen.GetProperty("dataDigest").GetString());
        Assert.False(string.IsNullOrEmpty(seen.GetProperty("initiatorName").GetString()));
        var window = seen.GetProperty("commandWindow");
        Assert.Equal(0, window.GetProperty("outstanding").GetInt32());
        Assert.True(window.GetProperty("maxCmdSN").GetUInt32() - window.GetProperty("expCmdSN").GetUInt32() + 1 > 0);
        var connection = Assert.Single(seen.GetProperty("connections").EnumerateArray());
        Assert.StartsWith("127.0.0.1:", connection.GetProperty("remote").GetString(), StringComparison.Ordinal);
        Assert.Equal($"127.0.0.1:{host.Port}", connection.GetProperty("local").GetString());
        Assert.Equal(1, connection.GetProperty("portalGroup").GetInt32());
    }

    [Fact]
    public async Task Targets_CountReadsAndWritesPerLun()
    {
        await using var host = await ApiHost.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{host.Port}/{ApiHost.TargetName}/0");
        var buffer = new byte[8192];
        await disk.WriteAsync(0, buffer);
        await disk.ReadAsync(0, buffer);
        await disk.ReadAsync(16, buffer.AsMemory(0, 4096));

        using var client = host.Client(ApiHost.MonitorToken);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));
        var counters = json.RootElement.GetProperty("targets")[0].GetProperty("luns")[0].GetProperty("counters");
        Assert.Equal(2, counters.GetProperty("readCommands").GetInt64());
        Assert.Equal(8192 + 4096, counters.GetProperty("readBytes").GetInt64());
        Assert.Equal(1, counters.GetProperty("writeCommands").GetInt64());
        Assert.Equal(8192, counters.GetProperty("writeBytes").GetInt64());
    }

    [Fact]
    public async Task UnknownRoute_IsNotFoundForAnAuthenticatedCaller()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.Client(ApiHost.MonitorToken);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/nothing")).StatusCode);
    }
}
