using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Storlane.Management.Tests;

/// <summary>The API's TCP listener: TLS only, bearer tokens only, unreadable PEM files refused clearly.</summary>
public class TlsListenerTests
{
    [Fact]
    public async Task Https_WithToken_AnswersTheApi()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.TlsClient(ApiHost.MonitorToken);
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));
        Assert.Equal(ApiHost.TargetName, json.RootElement.GetProperty("targets")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Https_WithoutToken_Is401_NoPeerCredentialsOverTcp()
    {
        await using var host = await ApiHost.StartAsync();
        using var client = host.TlsClient(token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task PlainHttp_ToTheTlsPort_GetsNoApiAnswer()
    {
        await using var host = await ApiHost.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host.Api.TlsEndpoint!);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /api/v1/targets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ApiHost.AdminToken}\r\nConnection: close\r\n\r\n"));

        // Kestrel takes the bytes for a TLS ClientHello, fails the handshake and closes: read to the end.
        var answer = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await stream.CopyToAsync(answer, timeout.Token);
        }
        catch (IOException)
        {
            // A reset is a refusal too.
        }

        var text = Encoding.ASCII.GetString(answer.ToArray());
        Assert.DoesNotContain("HTTP/1.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiHost.TargetName, text, StringComparison.Ordinal);

        using var plain = new HttpClient { BaseAddress = new Uri($"http://{host.Api.TlsEndpoint}") };
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync("/api/v1/targets"));
    }

    [Fact]
    public void MissingCertificate_IsRefusedWhereTheConfigNamesIt()
    {
        var missing = new PemFile("/nonexistent/storlane/api.crt", "storlane.yaml:12:16");
        var error = Assert.Throws<ManagementStartException>(() => TlsListener.LoadCertificate(missing, TestCertificate.Key));
        Assert.StartsWith("storlane.yaml:12:16: cannot read the management certificate /nonexistent/storlane/api.crt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyThatIsNotPem_IsRefusedClearly()
    {
        var folder = Directory.CreateTempSubdirectory("storlane-api-key-").FullName;
        try
        {
            var key = Path.Combine(folder, "api.key");
            File.WriteAllText(key, "not a key\n");
            var error = Assert.Throws<ManagementStartException>(() => TlsListener.LoadCertificate(TestCertificate.Certificate, new PemFile(key, "storlane.yaml:13:8")));
            Assert.StartsWith("test:1:1: ", error.Message, StringComparison.Ordinal);
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
