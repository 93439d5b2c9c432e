namespace Storlane.Management.Tests;

/// <summary>The API's Unix socket: owner-only, never shared by two servers, found stale and replaced.</summary>
public class SocketTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Socket_IsOwnerOnly()
    {
        await using var host = await ApiHost.StartAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(host.Api.SocketPath));
    }

    [Fact]
    public async Task SecondServerOnTheSameSocket_IsRefusedClearly_AndTheFirstKeepsServing()
    {
        await using var host = await ApiHost.StartAsync();
        var error = await Assert.ThrowsAsync<ManagementStartException>(() => ManagementServer.StartAsync(host.Target, new ManagementOptions(), host.Api.SocketPath, host.Log));
        Assert.Contains("another storlane serve is listening on " + host.Api.SocketPath, error.Message, StringComparison.Ordinal);
        using var client = host.Client(ApiHost.MonitorToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task StaleSocket_IsRemovedAndReplaced()
    {
        await using var host = await ApiHost.StartAsync();
        var path = Path.Combine(Path.GetDirectoryName(host.Api.SocketPath)!, "stale.sock");

        // Bound but not listening: what a crashed server leaves behind (connect gets ECONNREFUSED).
        using var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        Assert.True(File.Exists(path));

        var second = await ManagementServer.StartAsync(host.Target, new ManagementOptions(), path, host.Log);
        try
        {
            using var client = ApiHost.UnixClient(path, token: null);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/sessions")).StatusCode);
            Assert.Contains(host.Log.Lines, line => line.Contains("Removed a stale management socket " + path, StringComparison.Ordinal));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task RegularFileAtTheSocketPath_IsRefusedAndKept()
    {
        await using var host = await ApiHost.StartAsync();
        var path = Path.Combine(Path.GetDirectoryName(host.Api.SocketPath)!, "notes.txt");
        await File.WriteAllTextAsync(path, "keep me");
        var error = await Assert.ThrowsAsync<ManagementStartException>(() => ManagementServer.StartAsync(host.Target, new ManagementOptions(), path, host.Log));
        Assert.Contains("is not a socket", error.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(path));
    }
}
