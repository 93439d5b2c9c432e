using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Initiator.Session;
using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests.Ceph;

/// <summary>
/// One <c>storlane serve</c> gateway exporting an RBD image of the shared test cluster as LUN 0 of
/// <see cref="Iqn"/> on a loopback address (ephemeral port). Several gateways over one image
/// share the target name and the LU, as a scale-out deployment does.
/// </summary>
internal sealed class RbdGateway : IAsyncDisposable
{
    public const string Iqn = "iqn.2026-11.io.storlane:rbd";

    private readonly string _directory;

    private RbdGateway(string directory, StorlaneServer server, string iqn)
    {
        _directory = directory;
        Server = server;
        TargetName = iqn;
    }

    public StorlaneServer Server { get; }

    /// <summary>The target's name: <see cref="Iqn"/> unless the test chose its own (an ownership lease is per target name).</summary>
    public string TargetName { get; }

    public string Url => $"iscsi://{Server.Endpoints[0]}/{TargetName}/0";

    /// <summary>Starts a gateway on <paramref name="address"/>; the image is created (64 MiB) by the first one.</summary>
    /// <param name="gatewaySection">YAML for the config's top level, e.g. a <c>gateway:</c> section.</param>
    public static async Task<RbdGateway> StartAsync(CephClusterFixture ceph, string image, string address = "127.0.0.1", int group = 1, string extraLunKeys = "", string iqn = Iqn, string gatewaySection = "")
    {
        var directory = Directory.CreateTempSubdirectory("storlane-rbd-gateway-").FullName;
        var config = Path.Combine(directory, "storlane.yaml");
        await File.WriteAllTextAsync(config, $$"""
            # Written by the Storlane Ceph interop tests.
            portals:
              - { address: {{address}}, port: 0, group: {{group}} }
            targets:
              - name: {{iqn}}
                luns:
                  - { lun: 0, backend: rbd, pool: {{ceph.PoolName}}, image: {{image}}, create-size: 64MiB, ceph-conf: {{ceph.Cluster.ConfPath}}{{extraLunKeys}} }
            {{gatewaySection}}
            """);
        try
        {
            var server = await StorlaneServer.StartAsync(config, Path.Combine(directory, "data"), directory);
            return new RbdGateway(directory, server, iqn);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A session to this gateway as <paramref name="initiator"/>, past the power-on unit attention.</summary>
    public async Task<IscsiSession> ConnectAsync(string initiator)
    {
        var endpoint = Server.Endpoints[0];
        var session = await IscsiSession.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, TargetName, new IscsiSessionOptions { InitiatorName = initiator });
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var result = await session.ExecuteAsync(0, new byte[6], Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
            if (result.IsGood)
            {
                return session;
            }
        }

        await session.DisposeAsync();
        throw new InvalidOperationException($"TEST UNIT READY through {endpoint} never came back GOOD");
    }

    /// <summary>SIGKILL by PID: the gateway dies as a crashed machine's would, with no goodbye to the cluster.</summary>
    public void Kill() => System.Diagnostics.Process.GetProcessById(Server.Pid).Kill();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
