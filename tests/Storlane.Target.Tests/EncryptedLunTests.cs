using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>An encrypted file LUN and its key file are served together or not at all.</summary>
public sealed class EncryptedLunTests
{
    [Fact]
    public async Task EncryptedFileLun_CreatesItsKey_AndTheImageIsRefusedWithoutIt_OrServedAsPlain()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-encrypted-").FullName;
        try
        {
            var image = Path.Combine(directory, "lun.img");
            await using (var server = Start(image, encrypted: true))
            {
                await server.StartAsync();
            }

            Assert.True(File.Exists(image + ".key"));

            var plain = await Assert.ThrowsAsync<TargetStartException>(() => Start(image, encrypted: false).StartAsync());
            Assert.Contains("has a key file", plain.Message, StringComparison.Ordinal);

            File.Delete(image + ".key");
            var keyless = await Assert.ThrowsAsync<TargetStartException>(() => Start(image, encrypted: true).StartAsync());
            Assert.Contains("exists but its key file", keyless.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IscsiTargetServer Start(string image, bool encrypted)
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0 });
        var target = new TargetOptions { Name = LoopbackTarget.DefaultName };
        target.Luns.Add(new LunOptions { Lun = 0, Backend = LunBackend.File, Path = image, SizeBytes = 1 << 20, Encrypted = encrypted });
        options.Targets.Add(target);
        return new IscsiTargetServer(options, NullLoggerFactory.Instance);
    }
}
