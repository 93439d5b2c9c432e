using Storlane.Storage.Encryption;

namespace Storlane.Storage.Tests.Encryption;

public sealed class EncryptedBlockDeviceTests
{
    private static readonly BlockGeometry Geometry = new(4096, 4096, 256);

    [Fact]
    public async Task WrittenData_RoundTrips_AndIsStoredEncrypted()
    {
        var inner = new MemoryBlockDevice(Geometry);
        await using var device = new EncryptedBlockDevice(inner, new MemoryKeyStore());
        var data = Pattern(2 * 4096, 1);

        await device.WriteAsync(10, data);

        var read = new byte[data.Length];
        await device.ReadAsync(10, read);
        Assert.Equal(data, read);
        var stored = new byte[data.Length];
        await inner.ReadAsync(10, stored);
        Assert.NotEqual(data, stored);
    }

    [Fact]
    public async Task UnwrittenAndUnmappedBlocks_ReadAsZeros_AndWrittenZerosToo()
    {
        await using var device = new EncryptedBlockDevice(new MemoryBlockDevice(Geometry), new MemoryKeyStore());
        await device.WriteAsync(0, Pattern(4096, 2));
        await device.WriteAsync(1, new byte[4096]);
        await device.UnmapAsync(0, 1);

        var read = new byte[3 * 4096];
        await device.ReadAsync(0, read);

        Assert.All(read, b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task CryptoErase_TurnsEarlierDataIntoNoise_AndLaterWritesRoundTrip()
    {
        await using var device = new EncryptedBlockDevice(new MemoryBlockDevice(Geometry), new MemoryKeyStore());
        var data = Pattern(4096, 3);
        await device.WriteAsync(5, data);

        await device.CryptoEraseAsync();

        var read = new byte[4096];
        await device.ReadAsync(5, read);
        Assert.NotEqual(data, read);
        await device.WriteAsync(6, data);
        await device.ReadAsync(6, read);
        Assert.Equal(data, read);
    }

    [Fact]
    public async Task FileKeyStore_KeepsTheKeyAcrossReopen_OwnerOnly_AndCryptoEraseReplacesItDurably()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-key-").FullName;
        try
        {
            var image = Path.Combine(directory, "lun.img");
            var data = Pattern(4096, 4);
            await using (var device = new EncryptedBlockDevice(FileBlockDevice.OpenOrCreate(image, Geometry), new FileKeyStore(FileKeyStore.ForImage(image))))
            {
                await device.WriteAsync(3, data);
                await device.FlushAsync();
            }

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(image + ".key"));
            }

            var read = new byte[4096];
            await using (var device = new EncryptedBlockDevice(FileBlockDevice.OpenOrCreate(image, Geometry), new FileKeyStore(FileKeyStore.ForImage(image))))
            {
                await device.ReadAsync(3, read);
                Assert.Equal(data, read);
                await device.CryptoEraseAsync();
            }

            await using (var device = new EncryptedBlockDevice(FileBlockDevice.OpenOrCreate(image, Geometry), new FileKeyStore(FileKeyStore.ForImage(image))))
            {
                await device.ReadAsync(3, read);
                Assert.NotEqual(data, read);
            }

            Assert.False(File.Exists(image + ".key.new"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void FileKeyStore_ACorruptKeyFile_IsAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), "storlane-bad-" + Guid.NewGuid().ToString("N") + ".key");
        File.WriteAllText(path, "not a key");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => new FileKeyStore(path).LoadOrCreate());
            Assert.Contains("is not a Storlane LUN key", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
