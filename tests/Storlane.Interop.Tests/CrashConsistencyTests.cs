using System.Diagnostics;
using System.Globalization;
using System.Text;
using Storlane.Initiator;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Interop.Tests.Infrastructure.Crash;
using Storlane.Storage.Vhdx;
using Xunit.Abstractions;

namespace Storlane.Interop.Tests;

/// <summary>
/// kill -9 of a real `storlane serve` at random moments while verified writers run FUA writes and
/// SYNCHRONIZE CACHE against a file or VHDX LUN; after each kill the server restarts on the same
/// file and every block must hold its last acknowledged-and-flushed generation or a newer attempt
/// (<see cref="CrashLedger"/>). A VHDX file is also checked as the kill left it (log not yet
/// replayed) by Storlane's checker and, with qemu-img installed, by qemu, whose own log replay must
/// give the same bytes as the restarted target. The slice here is bounded by STORLANE_CRASH_KILLS
/// and STORLANE_CRASH_SECONDS (see <see cref="CrashSettings"/>); a failure names the seed, round and
/// kill delay.
/// </summary>
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    private const string Iqn = "iqn.2026-11.io.storlane:crash";
    private const int Workers = 4;
    private const int MinKillDelayMs = 1;
    private const int MaxKillDelayMs = 400;
    private const int ReadChunkBytes = 1 << 20;
    private const long LunSize = 16L << 20; // the config says 16MiB
    private static readonly TimeSpan WriterStopTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public Task FileLun_KilledDuringFuaAndFlushedWrites_LosesNoAcknowledgedWrite() => RunAsync("file", "lun0.img");

    [Fact]
    public Task VhdxLun_KilledDuringFuaAndFlushedWrites_LosesNoAcknowledgedWrite_AndStaysValid() => RunAsync("vhdx", "lun0.vhdx");

    private async Task RunAsync(string backend, string fileName)
    {
        var settings = CrashSettings.FromEnvironment();
        var qemu = backend == "vhdx" && ExternalTools.IsAvailable(ExternalTools.QemuImg);
        if (backend == "vhdx" && !qemu)
        {
            Report(settings, "qemu-img not installed (apt-get install qemu-utils): the VHDX is checked by Storlane's VhdxChecker only, the qemu-img check and qemu's log replay are skipped");
        }

        var directory = Directory.CreateTempSubdirectory("storlane-crash-").FullName;
        var dataDirectory = Path.Combine(directory, "data");
        var configPath = Path.Combine(directory, "storlane.yaml");
        var lunPath = Path.Combine(dataDirectory, fileName);
        await File.WriteAllTextAsync(configPath, $$"""
            # Written by the Storlane crash-consistency test.
            portals:
              - address: 127.0.0.1
                port: 0
            targets:
              - name: {{Iqn}}
                luns:
                  - { lun: 0, backend: {{backend}}, path: {{fileName}}, size: 16MiB, logical-block-size: 512 }
            """);

        if (backend == "vhdx")
        {
            // 1 MiB payload blocks (not the 32 MiB default), so the writers' UNMAPs and writes keep
            // deallocating and allocating blocks: BAT updates through the log at every kill point.
            Directory.CreateDirectory(dataDirectory);
            await VhdxDiskCreator.CreateAsync(lunPath, new VhdxCreateOptions { Type = VhdxDiskType.Dynamic, VirtualSize = LunSize, BlockSize = 1 << 20 });
        }

        var random = new Random(settings.Seed);
        var clock = Stopwatch.StartNew();
        var server = await StorlaneServer.StartAsync(configPath, dataDirectory, directory);
        var kills = 0;
        var killsWithLogToReplay = 0;
        try
        {
            var url = Url(server);
            long blocks;
            await using (var probe = await IscsiDisk.OpenAsync(url))
            {
                blocks = probe.BlockCount;
            }

            var ledger = new CrashLedger(blocks);
            var writer = new CrashWriter(ledger, settings.Seed);
            while (kills < settings.Kills && clock.Elapsed < settings.Budget)
            {
                var round = kills + 1;
                var killDelay = random.Next(MinKillDelayMs, MaxKillDelayMs);
                var roundSeed = random.Next();
                var reproducer = $"{backend} LUN, seed {settings.Seed}, round {round}, kill {killDelay} ms after the writers started";

                await using (var writers = await writer.OpenRoundAsync(url, Workers, roundSeed))
                {
                    writers.Start();
                    await Task.Delay(killDelay);
                    writers.Killed = true;
                    await CommandRunner.SignalAsync(server.Pid, "KILL");
                    await server.DisposeAsync();
                    var errors = await writers.StopAsync(WriterStopTimeout);
                    Assert.True(errors.Count == 0, $"{reproducer}: a writer failed before the kill: {string.Join("; ", errors)}");
                }

                kills++;
                ledger.EndRound();
                byte[]? qemuBytes = null;
                if (backend == "vhdx")
                {
                    (qemuBytes, var logReplayed) = await CheckKilledVhdxAsync(lunPath, directory, qemu, reproducer);
                    killsWithLogToReplay += logReplayed ? 1 : 0;
                }

                server = await StorlaneServer.StartAsync(configPath, dataDirectory, directory);
                url = Url(server);
                var readBack = await VerifyAsync(url, ledger, settings.Seed, reproducer);
                if (qemuBytes is not null)
                {
                    Assert.True(qemuBytes.AsSpan().SequenceEqual(readBack), $"{reproducer}: qemu's replay of the VHDX log gives other bytes than the restarted target serves");
                }

                if (settings.ProgressFile is not null)
                {
                    await File.AppendAllTextAsync(settings.ProgressFile, string.Create(CultureInfo.InvariantCulture, $"{backend} kill {kills} at {killDelay} ms: ok, {clock.Elapsed.TotalSeconds:F0} s, writes sent {ledger.AttemptedWrites}, FUA {ledger.FuaWrites}, flushed {ledger.FlushedWrites}\n"));
                }
            }

            Assert.Equal(0, await server.StopAsync());
            if (backend == "vhdx")
            {
                var report = await VhdxChecker.CheckAsync(lunPath);
                Assert.False(report.HasErrors, $"after a clean stop: {string.Join("; ", report.Problems)}");
                if (qemu)
                {
                    AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["check", "-f", "vhdx", lunPath]), "qemu-img check after a clean stop");
                }
            }

            Report(settings, string.Create(CultureInfo.InvariantCulture, $"{backend}: {kills} kills in {clock.Elapsed.TotalSeconds:F1} s (seed {settings.Seed}), writes sent {ledger.AttemptedWrites} (UNMAP {ledger.AttemptedUnmaps}), acknowledged with FUA {ledger.FuaWrites}, acknowledged then flushed {ledger.FlushedWrites} ({ledger.Flushes} SYNCHRONIZE CACHE), 0 lost{(backend == "vhdx" ? $", {killsWithLogToReplay} kills left a VHDX log to replay" : string.Empty)}{(qemu ? ", qemu-img check and qemu log replay on every kill" : string.Empty)}"));
            Assert.True(kills >= Math.Min(settings.Kills, 3), $"only {kills} kills fit in {settings.Budget.TotalSeconds} s");
            Assert.True(ledger.FuaWrites + ledger.FlushedWrites > 0, "no write was acknowledged and flushed, so nothing was tested");
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Reads every block back through a new session, checks it against the ledger and makes it the next baseline.</summary>
    private static async Task<byte[]> VerifyAsync(string url, CrashLedger ledger, int runSeed, string reproducer)
    {
        await using var disk = await IscsiDisk.OpenAsync(url);
        var bytes = new byte[ledger.Blocks * disk.BlockSize];
        for (var offset = 0; offset < bytes.Length; offset += ReadChunkBytes)
        {
            var length = Math.Min(ReadChunkBytes, bytes.Length - offset);
            await disk.ReadAsync(offset / disk.BlockSize, bytes.AsMemory(offset, length));
        }

        var failures = new StringBuilder();
        var lost = 0;
        for (var lba = 0L; lba < ledger.Blocks; lba++)
        {
            var observed = CrashPattern.Identify(bytes.AsSpan((int)(lba * disk.BlockSize), disk.BlockSize), lba, runSeed);
            if (ledger.Check(lba, observed) is { } failure && ++lost <= 10)
            {
                failures.AppendLine(failure);
            }

            ledger.Rebase(lba, observed);
        }

        Assert.True(lost == 0, $"{reproducer}: {lost} blocks lost an acknowledged-and-flushed write:\n{failures}");
        return bytes;
    }

    /// <summary>
    /// The VHDX as the kill left it, on copies so the restarted target replays the original itself:
    /// Storlane's checker replays the log (repair) and checks every structure; qemu replays the log
    /// its own way, checks the result and returns the disk's bytes. Returns the qemu bytes (null
    /// without qemu-img) and whether a log was left to replay.
    /// </summary>
    private static async Task<(byte[]? QemuBytes, bool LogReplayed)> CheckKilledVhdxAsync(string lunPath, string directory, bool qemu, string reproducer)
    {
        var copy = Path.Combine(directory, "killed-copy.vhdx");
        var raw = Path.Combine(directory, "killed-copy.raw");
        try
        {
            File.Copy(lunPath, copy, overwrite: true);
            var report = await VhdxChecker.CheckAsync(copy, repair: true);
            Assert.False(report.HasErrors, $"{reproducer}: the killed VHDX fails Storlane's check after its log replay: {string.Join("; ", report.Problems)}");
            if (!qemu)
            {
                return (null, report.ReplayedEntries > 0);
            }

            File.Copy(lunPath, copy, overwrite: true);
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["check", "-r", "all", "-f", "vhdx", copy]), $"{reproducer}: qemu-img check -r all of the killed VHDX");
            AssertSucceeded(await CommandRunner.RunAsync(ExternalTools.QemuImg, ["convert", "-f", "vhdx", "-O", "raw", copy, raw]), $"{reproducer}: qemu-img convert of the killed VHDX");
            return (await File.ReadAllBytesAsync(raw), report.ReplayedEntries > 0);
        }
        finally
        {
            File.Delete(copy);
            File.Delete(raw);
        }
    }

    private static void AssertSucceeded(CommandResult result, string what) =>
        Assert.True(result.ExitCode == 0, $"{what} failed: {result}");

    private static string Url(StorlaneServer server) => $"iscsi://{server.Portal}/{Iqn}/0";

    private void Report(CrashSettings settings, string line)
    {
        output.WriteLine(line);
        if (settings.ProgressFile is not null)
        {
            File.AppendAllText(settings.ProgressFile, line + "\n");
        }
    }
}
