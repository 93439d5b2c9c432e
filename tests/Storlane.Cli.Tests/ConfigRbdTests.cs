using Storlane.Target;

namespace Storlane.Cli.Tests;

/// <summary>`backend: rbd` LUNs: pool and image name the data, the image's size is the LUN's.</summary>
public sealed class ConfigRbdTests
{
    private const string Head = """
        portals:
          - address: 127.0.0.1
        targets:
          - name: iqn.2026-11.io.storlane:rbd
            luns:
        """;

    [Fact]
    public void RbdLun_MapsEveryKey_WithSizesLikeTheOtherSizeKeys()
    {
        var options = ConfigAssert.Valid(Head + """

                  - lun: 0
                    backend: rbd
                    pool: rbd
                    image: vm-disk
                    create-size: 10G
                    ceph-conf: cluster/ceph.conf
                    mon-host: 127.0.0.1:6789
                    client: client.storlane
                    keyring: cluster/storlane.keyring
                    logical-block-size: 512
                    physical-block-size: 4096
            """);

        var lun = Assert.Single(options.Targets[0].Luns);
        Assert.Equal(LunBackend.Rbd, lun.Backend);
        var rbd = Assert.IsType<RbdLunOptions>(lun.Rbd);
        Assert.Equal("rbd", rbd.Pool);
        Assert.Equal("vm-disk", rbd.Image);
        Assert.Equal(10L << 30, rbd.CreateSizeBytes);
        Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "cluster", "ceph.conf"), rbd.CephConf);
        Assert.Equal("127.0.0.1:6789", rbd.MonitorHost);
        Assert.Equal("storlane", rbd.Client);
        Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "cluster", "storlane.keyring"), rbd.Keyring);
        Assert.Null(lun.Path);
    }

    [Fact]
    public void RbdLun_Defaults_AreClientAdminAndNoCreate()
    {
        var options = ConfigAssert.Valid(Head + "\n      - { lun: 0, backend: rbd, pool: rbd, image: a }");
        var rbd = options.Targets[0].Luns[0].Rbd!;
        Assert.Equal("admin", rbd.Client);
        Assert.Equal(0, rbd.CreateSizeBytes);
        Assert.Null(rbd.CephConf);
    }

    [Fact]
    public void RbdLun_WithoutImage_IsMissingImage()
    {
        var error = ConfigAssert.SingleError(Head + "\n      - { lun: 0, backend: rbd, pool: rbd }", 6, 9);
        Assert.Contains("'image'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RbdLun_WithSize_IsRefusedAtTheSize()
    {
        var error = ConfigAssert.SingleError(Head + "\n      - { lun: 0, backend: rbd, pool: rbd, image: a, size: 1G }", 6, 60);
        Assert.Contains("as big as the image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RbdKey_OnAFileLun_IsRefusedAtTheKey()
    {
        var error = ConfigAssert.SingleError(Head + "\n      - { lun: 0, path: a.img, size: 1G, pool: rbd }", 6, 48);
        Assert.Equal("'pool' is only for the rbd backend (backend: rbd)", error.Message);
    }

    [Fact]
    public void ImageName_WithASlash_IsRefused()
    {
        var error = ConfigAssert.SingleError(Head + "\n      - { lun: 0, backend: rbd, pool: rbd, image: a/b }", 6, 51);
        Assert.Contains("without '/'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSize_NotWholeBlocks_IsRefused()
    {
        var error = ConfigAssert.SingleError(Head + "\n      - { lun: 0, backend: rbd, pool: rbd, image: a, create-size: 1000 }", 6, 67);
        Assert.Contains("'create-size'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encrypted_OnRbd_IsRefused()
    {
        var error = ConfigAssert.SingleError(Head + "\n      - { lun: 0, backend: rbd, pool: rbd, image: a, encrypted: true }", 6, 65);
        Assert.Contains("not available for the rbd backend", error.Message, StringComparison.Ordinal);
    }
}
