using System.Net;
using System.Net.Sockets;
using Storlane.Initiator.Nvme;
using Storlane.Initiator.Tests.Multipath;

namespace Storlane.Initiator.Tests.Nvme;

/// <summary>A controller that stops answering ends in a clear exception, never a hang.</summary>
public sealed class NvmeTimeoutTests
{
    [Fact]
    public async Task Connect_ControllerNeverSendsICResp_FailsWithTransportErrorNamingIt()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var accepting = silent.AcceptTcpClientAsync();
        var options = new NvmeHostOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) };

        var error = await Assert.ThrowsAsync<NvmeTransportException>(
            () => NvmeTcpController.ConnectAsync("127.0.0.1", port, "nqn.2014-08.org.example:d", options).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("no ICResp", error.Message, StringComparison.Ordinal);
        (await accepting).Dispose();
    }

    [Fact]
    public async Task Io_CablePulled_CommandTimesOut_WithNvmeCommandTimeoutException_AndTheAssociationEnds()
    {
        await using var target = await NvmeLocalTarget.StartAsync();
        await using var relay = new LoopbackProxy(target.Endpoint(0).Port);
        var url = "nvme+tcp://127.0.0.1:" + relay.Port + "/" + NvmeLocalTarget.Nqn + "/1";
        var options = new NvmeHostOptions { CommandTimeout = TimeSpan.FromMilliseconds(500), KeepAliveTimeout = TimeSpan.Zero };
        await using var disk = await NvmeDisk.OpenAsync(url, options);
        await disk.WriteAsync(0, new byte[512]);

        relay.PullCable();
        var error = await Assert.ThrowsAsync<NvmeCommandTimeoutException>(async () => await disk.ReadAsync(0, new byte[512]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("had no answer within 0.5 s", error.Message, StringComparison.Ordinal);
        Assert.False(disk.Controller.IsConnected);
        await Assert.ThrowsAnyAsync<NvmeTransportException>(async () => await disk.ReadAsync(0, new byte[512]));
    }
}
