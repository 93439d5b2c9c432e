using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests;

/// <summary>
/// SBC-3 4.11.1: a sanitize operation continues after a power loss. A real `storlane serve` is killed
/// (SIGKILL, no chance to tidy up) in the middle of the SANITIZE OVERWRITE that libiscsi's
/// Sanitize.Overwrite test started; started again, the target resumes the operation before it
/// serves anything, libiscsi's iscsi-readcapacity16 gets NOT READY, SANITIZE IN PROGRESS, and
/// when it is done every block holds the pattern and the journal beside the image is gone.
/// </summary>
public sealed class SanitizeRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>How long the client may run: past the crash (a few seconds in), before the restart.</summary>
    private static readonly TimeSpan ClientPatience = TimeSpan.FromSeconds(20);

    [ToolFact(ExternalTools.IscsiTestCu)]
    public async Task SanitizeInterruptedByACrash_ResumesAtTheNextStart()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-sanitize-crash-").FullName;
        try
        {
            var config = Path.Combine(directory, "storlane.yaml");
            var data = Path.Combine(directory, "data");
            var image = Path.Combine(data, "lun0.img");

            // 16 MiB at 2 MiB/s: the overwrite lasts 8 s, time enough to pull the plug in the middle.
            await File.WriteAllTextAsync(config, """
                portals: [{ address: 127.0.0.1, port: 0 }]
                targets:
                  - name: iqn.2026-11.io.storlane:sanitize
                    luns:
                      - { lun: 0, backend: file, path: lun0.img, size: 16MiB, logical-block-size: 4096, sanitize-rate: 2MiB/s }
                """);

            Task<CommandResult> suite;
            await using (var server = await StorlaneServer.StartAsync(config, data, directory))
            {
                var url = $"iscsi://{server.Portal}/iqn.2026-11.io.storlane:sanitize/0";
                suite = CommandRunner.RunAsync(ExternalTools.IscsiTestCu, ["-d", "-S", "-t", "ALL.Sanitize.Overwrite", url], ClientPatience);
                await WaitForLog(server, "SANITIZE overwrite started");
                await CommandRunner.SignalAsync(server.Pid, "KILL");
            }

            // The client loses its target; libiscsi retries the login until its run is stopped (by PID,
            // on the timeout). Whatever it reports, the target had the operation journaled.
            await Assert.ThrowsAsync<TimeoutException>(() => suite);
            Assert.True(File.Exists(image + ".sanitize"), "no sanitize journal beside the image after the crash");

            await using (var server = await StorlaneServer.StartAsync(config, data, directory))
            {
                Assert.Contains("it starts again now", server.Log, StringComparison.Ordinal);
                var url = $"iscsi://{server.Portal}/iqn.2026-11.io.storlane:sanitize/0";
                var during = await CommandRunner.RunAsync(ExternalTools.IscsiReadCapacity16, [url]);
                Assert.Contains("SANITIZE", during.ToString(), StringComparison.OrdinalIgnoreCase);

                await WaitForLog(server, "SANITIZE overwrite completed");
                var after = await CommandRunner.RunAsync(ExternalTools.IscsiReadCapacity16, [url]);
                Assert.Contains("Total size:16777216", after.Output, StringComparison.Ordinal);
            }

            Assert.False(File.Exists(image + ".sanitize"), "the journal outlived the completed sanitize");

            // Sanitize.Overwrite's first SANITIZE fills every block with AAh.
            var bytes = await File.ReadAllBytesAsync(image);
            Assert.Equal(16 << 20, bytes.Length);
            Assert.True(Array.TrueForAll(bytes, b => b == 0xAA), "some block does not hold the sanitize pattern");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WaitForLog(StorlaneServer server, string text)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!server.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the server never logged '{text}':\n{server.Log}");
            await Task.Delay(50);
        }
    }
}
