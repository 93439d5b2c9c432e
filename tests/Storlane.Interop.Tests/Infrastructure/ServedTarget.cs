namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// A temporary folder with a config and a data directory, and a <c>storlane serve</c> on an
/// ephemeral loopback port serving <see cref="Iqn"/> with three 64 MiB LUNs: 0 is a 512n file,
/// 1 a 4Kn file, 2 a 512e memory LUN. Dispose stops the server and deletes the folder.
/// </summary>
internal sealed class ServedTarget : IAsyncDisposable
{
    public const string Iqn = "iqn.2026-11.io.storlane:interop";
    public const long LunSize = 64L << 20;

    private ServedTarget(string directory, StorlaneServer server)
    {
        Directory = directory;
        Server = server;
    }

    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "storlane.yaml");

    public string DataDirectory => Path.Combine(Directory, "data");

    public StorlaneServer Server { get; private set; }

    /// <summary>host:port of the first portal.</summary>
    public string Portal => Server.Portal;

    /// <param name="targetSettings">Extra YAML keys for the interop target (indented 4 spaces), e.g. chap.</param>
    /// <param name="moreTargets">Extra YAML target items (indented 2 spaces).</param>
    /// <param name="rootSettings">Extra top-level YAML keys (not indented), e.g. discovery-chap.</param>
    public static async Task<ServedTarget> StartAsync(string targetSettings = "", string moreTargets = "", string rootSettings = "")
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("storlane-interop-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "storlane.yaml"), $$"""
            # Written by the Storlane interop tests.
            portals:
              - address: 127.0.0.1
                port: 0
            targets:
              - name: {{Iqn}}
            {{targetSettings}}
                luns:
                  - { lun: 0, backend: file, path: lun0.img, size: 64MiB, logical-block-size: 512 }
                  - { lun: 1, backend: file, path: lun1.img, size: 64MiB, logical-block-size: 4096 }
                  - { lun: 2, backend: memory, size: 64MiB, logical-block-size: 512, physical-block-size: 4096 }
            {{moreTargets}}
            {{rootSettings}}
            """);
        try
        {
            var server = await StartServerAsync(directory);
            return new ServedTarget(directory, server);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>An iscsi:// URL for <paramref name="lun"/>, with optional <c>user%secret</c> credentials.</summary>
    public string Url(int lun, string? credentials = null, string target = Iqn) =>
        $"iscsi://{(credentials is null ? string.Empty : credentials + "@")}{Portal}/{target}/{lun}";

    /// <summary>Runs a client against this target; its result (and any timeout) carries the server's log for diagnosis.</summary>
    public async Task<CommandResult> RunAsync(string tool, params string[] arguments)
    {
        try
        {
            return await CommandRunner.RunAsync(tool, arguments) with { ServerLog = Server.Log };
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nstorlane serve log:\n{Server.Log}", e);
        }
    }

    /// <summary>Stops the server with SIGTERM (asserting a clean exit 0) and starts it again on the same files.</summary>
    public async Task RestartAsync()
    {
        var exitCode = await Server.StopAsync();
        Assert.True(exitCode == 0, $"storlane serve exited with {exitCode} on SIGTERM:\n{Server.Log}");
        await Server.DisposeAsync();
        Server = await StartServerAsync(Directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static Task<StorlaneServer> StartServerAsync(string directory) =>
        StorlaneServer.StartAsync(Path.Combine(directory, "storlane.yaml"), Path.Combine(directory, "data"), directory);
}
