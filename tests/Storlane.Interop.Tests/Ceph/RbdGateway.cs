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

    private RbdGateway(string directory, StorlaneServer server)
    {
        _directory = directory;
        Server = server;
    }

    public StorlaneServer Server { get; }

    public string Url => $"iscsi://{Server.Endpoints[0]}/{Iqn}/0";

    /// <summary>Starts a gateway on <paramref name="address"/>; the image is created (64 MiB) by the first one.</summary>
    public static async Task<RbdGateway> StartAsync(CephClusterFixture ceph, string image, string address = "127.0.0.1", int group = 1, string extraLunKeys = "")
    {
        var directory = Directory.CreateTempSubdirectory("storlane-rbd-gateway-").FullName;
        var config = Path.Combine(directory, "storlane.yaml");
        await File.WriteAllTextAsync(config, $$"""
            # Written by the Storlane Ceph interop tests.
            portals:
              - { address: {{address}}, port: 0, group: {{group}} }
            targets:
              - name: {{Iqn}}
                luns:
                  - { lun: 0, backend: rbd, pool: {{ceph.PoolName}}, image: {{image}}, create-size: 64MiB, ceph-conf: {{ceph.Cluster.ConfPath}}{{extraLunKeys}} }
            """);
        try
        {
            var server = await StorlaneServer.StartAsync(config, Path.Combine(directory, "data"), directory);
            return new RbdGateway(directory, server);
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
        var session = await IscsiSession.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, Iqn, new IscsiSessionOptions { InitiatorName = initiator });
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

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
