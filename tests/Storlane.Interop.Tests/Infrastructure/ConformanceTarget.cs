namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// <c>storlane serve</c> for the conformance suite: two loopback portals (127.0.0.1 and 127.0.0.2,
/// ephemeral ports, portal groups 1 and 2) and <see cref="Iqn"/> with two scratch 64 MiB 4Kn memory
/// LUNs, one per run, so the single-path and multipath runs never see each other's data, and a
/// write-protected one (<see cref="ReadOnlyLun"/>) for the ReadOnly suite. Both scratch LUNs are
/// removable (so the PreventAllow, StartStopUnit and NoMedia suites run in family ALL) and hold a
/// SANITIZE OVERWRITE to 8 MiB/s, so a 64 MiB overwrite lasts 8 s, the way a disk's does (Sanitize.Reset
/// checks it is still under way after resets and a reconnect 4 s in); LUN 0 is encrypted (CRYPTOGRAPHIC
/// ERASE runs), LUN 1 is not, so both kinds are covered.
/// </summary>
internal sealed class ConformanceTarget : IAsyncDisposable
{
    public const string Iqn = "iqn.2026-11.io.storlane:conformance";

    /// <summary>The LUN configured with <c>read-only: true</c>.</summary>
    public const int ReadOnlyLun = 2;

    private readonly string _directory;

    private ConformanceTarget(string directory, StorlaneServer server)
    {
        _directory = directory;
        Server = server;
    }

    public StorlaneServer Server { get; }

    public static async Task<ConformanceTarget> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-conformance-").FullName;
        var config = Path.Combine(directory, "storlane.yaml");
        await File.WriteAllTextAsync(config, $$"""
            # Written by the Storlane conformance test.
            portals:
              - { address: 127.0.0.1, port: 0, group: 1 }
              - { address: 127.0.0.2, port: 0, group: 2 }
            targets:
              - name: {{Iqn}}
                luns:
                  - { lun: 0, backend: memory, size: 64MiB, logical-block-size: 4096, encrypted: true, removable: true, sanitize-rate: 8MiB/s }
                  - { lun: 1, backend: memory, size: 64MiB, logical-block-size: 4096, removable: true, sanitize-rate: 8MiB/s }
                  - { lun: 2, backend: memory, size: 64MiB, logical-block-size: 4096, read-only: true }
            """);
        try
        {
            var server = await StorlaneServer.StartAsync(config, Path.Combine(directory, "data"), directory);
            return new ConformanceTarget(directory, server);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The iscsi:// URL of <paramref name="lun"/> through portal <paramref name="portal"/> (0 or 1).</summary>
    public string Url(int portal, int lun) => $"iscsi://{Server.Endpoints[portal]}/{Iqn}/{lun}";

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
