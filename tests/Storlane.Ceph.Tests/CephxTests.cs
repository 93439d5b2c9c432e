using Storlane.Ceph.Devices;
using Storlane.Ceph.Rados;
using Storlane.Ceph.Rbd;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Lab.Ceph;
using Storlane.Scsi;

namespace Storlane.Ceph.Tests;

/// <summary>
/// A gateway on a cephx cluster authenticates as its own client (the rbd LUN keys `client` and
/// `keyring`, passed as <see cref="RadosConnectOptions.ClientId"/> and
/// <see cref="RadosConnectOptions.KeyringPath"/>), with rbd rights on its pool and nothing more.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class CephxTests(CephClusterFixture fixture)
{
    [CephFact]
    public void SharedCluster_RequiresCephx_AndNamesTheAdminKeyringInItsConf()
    {
        var conf = File.ReadAllText(fixture.Cluster.ConfPath);
        Assert.Contains("auth client required = cephx", conf, StringComparison.Ordinal);
        Assert.Contains("keyring = " + fixture.Cluster.KeyringPath, conf, StringComparison.Ordinal);

        // Without a key the monitors turn a client away (librados: no keyring, cephx off, refused).
        var error = Assert.Throws<CephException>(() => RadosCluster.Connect(new RadosConnectOptions
        {
            MonitorHost = fixture.Cluster.MonitorHost,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            Options = new Dictionary<string, string> { ["auth_client_required"] = "none" },
        }));
        Assert.Equal("rados_connect", error.Operation);
    }

    [CephFact]
    public async Task RbdLun_OpensWithItsClientsKey()
    {
        var keyring = await fixture.Cluster.CreateClientAsync("gw-right");
        var image = fixture.NewImageName("cephx");
        RbdImage.Create(fixture.Pool, image, 8L << 20);

        using var cluster = await RadosCluster.ConnectAsync(new RadosConnectOptions
        {
            ConfPath = fixture.Cluster.ConfPath,
            ClientId = "gw-right",
            KeyringPath = keyring,
        });
        Assert.StartsWith("client.gw-right ", cluster.Description, StringComparison.Ordinal);
        using var pool = cluster.OpenPool(fixture.PoolName);
        await using (var device = RbdBlockDevice.Open(RbdImage.Open(pool, image), 512, 4096))
        {
            var data = new byte[4096];
            data.AsSpan().Fill(0xC3);
            await device.WriteAsync(8, data);
            var back = new byte[4096];
            await device.ReadAsync(8, back);
            Assert.Equal(data, back);
        }

        // The LU's reservation object beside the image is within the same rbd profile.
        using var state = new RadosLuSharedState(pool, image);
        var before = await state.LoadAsync(CancellationToken.None);
        Assert.NotNull(await state.TryReplaceAsync(before.Version, new byte[] { 1, 2, 3 }, durable: true, CancellationToken.None));
    }

    [CephFact]
    public async Task RbdLun_WithAWrongKey_FailsWithAnErrorNamingTheClient()
    {
        await fixture.Cluster.CreateClientAsync("gw-wrong");
        var wrong = Path.Combine(fixture.Cluster.Directory, "gw-wrong.stale.keyring");
        await File.WriteAllTextAsync(wrong, "[client.gw-wrong]\n\tkey = " + NewCephxKey() + "\n");

        var error = await Assert.ThrowsAsync<CephException>(() => RadosCluster.ConnectAsync(new RadosConnectOptions
        {
            ConfPath = fixture.Cluster.ConfPath,
            ClientId = "gw-wrong",
            KeyringPath = wrong,
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }));

        // librados retries a refused key until client_mount_timeout and then says ETIMEDOUT.
        Assert.Equal("rados_connect", error.Operation);
        Assert.Equal(CephException.TimedOut, error.ErrorCode);
        Assert.Contains("client.gw-wrong", error.Message, StringComparison.Ordinal);
        Assert.Contains("key", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A well-formed cephx secret (type AES, created, 16 random bytes) that the cluster never issued.</summary>
    private static string NewCephxKey()
    {
        var key = new byte[28];
        key[0] = 1; // CEPH_CRYPTO_AES, little-endian u16
        BitConverter.TryWriteBytes(key.AsSpan(2, 4), (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        key[10] = 16; // secret length, little-endian u16
        System.Security.Cryptography.RandomNumberGenerator.Fill(key.AsSpan(12));
        return Convert.ToBase64String(key);
    }
}
