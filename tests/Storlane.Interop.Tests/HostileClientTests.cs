using System.Diagnostics;
using Storlane.Initiator;
using Storlane.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Storlane.Interop.Tests;

/// <summary>
/// A real <c>storlane serve</c> under initiators that send and never read: floods of in-window
/// and immediate 4 MiB READs and of 256 KiB pings. The target must keep its memory inside the
/// configured budget and keep a well-behaved session doing verified I/O with bounded latency,
/// during the attack and after it.
/// </summary>
public sealed class HostileClientTests(ITestOutputHelper output)
{
    private const string Iqn = "iqn.2026-11.io.storlane:hostile";
    private const int Attackers = 12;

    /// <summary>
    /// What the config allows the attackers together: the buffer budget, each connection's queue of
    /// unsent replies and the writer's 1 MiB burst; plus slack for the runtime's own growth.
    /// </summary>
    private const long AllowedGrowth = (128L << 20) + (Attackers * (16L + 1) << 20) + (128L << 20);

    /// <summary>
    /// How far above its start RSS may stay once the attackers are gone: measured 20-30 MiB (shared
    /// array pool buffers the runtime trims later, thread stacks, JIT code), against +170 MiB before
    /// the target gave the burst's heap back.
    /// </summary>
    private const long ReturnBound = 64L << 20;

    /// <summary>Two idle periods of the target's upkeep (cache emptied, then heap given back) and margin for a loaded machine.</summary>
    private static readonly TimeSpan ReturnWithin = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task FloodsOfUnreadReplies_StayInsideTheBudget_WhileAGoodSessionServes()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-hostile-").FullName;
        try
        {
            await using var server = await StartAsync(directory, "64MiB", """
                nop-in-interval: 1
                nop-in-timeout: 3
                limits:
                  buffer-budget: 128MiB
                  max-buffer-bytes-per-connection: 32MiB
                """);
            var portal = server.Endpoints[0];
            await using var good = await IscsiDisk.OpenAsync($"iscsi://{portal}/{Iqn}/0");

            // The memory LUN allocates as it is written: fill it first, so its growth is not
            // mistaken for the attack's.
            var fill = new byte[1 << 20];
            for (var lba = 0L; lba < good.BlockCount; lba += fill.Length / good.BlockSize)
            {
                await good.WriteAsync(lba, fill);
            }

            var warmUp = await VerifiedIoAsync(good, TimeSpan.FromSeconds(2), seed: 1);
            Assert.True(warmUp.Count > 0);
            var baseline = ResidentBytes(server.Pid);

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var attackers = new List<HostileInitiator>();
            for (var i = 0; i < Attackers; i++)
            {
                attackers.Add(await HostileInitiator.LoginAsync(portal, Iqn, $"iqn.2026-11.io.storlane:attacker{i}"));
            }

            var attacks = new List<Task>();
            foreach (var attacker in attackers)
            {
                attacks.Add(Task.Run(async () =>
                {
                    await attacker.SendReadsAsync(64, 8192, immediate: false, stop.Token);
                    await attacker.SendReadsAsync(32, 8192, immediate: true, stop.Token);
                    await attacker.SendPingsAsync(64, 256 * 1024, stop.Token);
                }));
            }

            var peak = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, ResidentBytes(server.Pid));
                    await Task.Delay(50);
                }
            });

            var underAttack = await VerifiedIoAsync(good, TimeSpan.FromSeconds(8), seed: 2);
            await Task.WhenAll(attacks);
            await sampling.CancelAsync();
            await sampler;
            output.WriteLine($"baseline RSS {baseline >> 20} MiB, peak {peak >> 20} MiB; good session: {underAttack.Count} verified I/Os, slowest {underAttack.Slowest.TotalMilliseconds:F0} ms");
            output.WriteLine($"attackers had the target take {attackers.Sum(a => a.BytesSent) >> 20} MiB of requests");

            Assert.True(underAttack.Count >= 20, $"the good session did only {underAttack.Count} I/Os under attack");
            Assert.True(underAttack.Slowest < TimeSpan.FromSeconds(5), $"a good I/O took {underAttack.Slowest} under attack");
            Assert.True(peak - baseline < AllowedGrowth, $"RSS grew by {(peak - baseline) >> 20} MiB, more than the configured budget allows ({AllowedGrowth >> 20} MiB)");

            foreach (var attacker in attackers)
            {
                await attacker.DisposeAsync();
            }

            // The attackers leave; the good session goes on. Nothing they made the target take may
            // keep growing, and once their connections are gone the memory goes back: the target
            // empties its large-buffer cache after an idle period (10 s) and then gives the burst's
            // heap back with one collection (the next period), so RSS returns near its start.
            var leaving = Stopwatch.StartNew();
            var settledPeak = 0L;
            var now = ResidentBytes(server.Pid);
            while (now - baseline > ReturnBound && leaving.Elapsed < ReturnWithin)
            {
                await VerifiedIoAsync(good, TimeSpan.FromMilliseconds(500), seed: 3);
                now = ResidentBytes(server.Pid);
                settledPeak = Math.Max(settledPeak, now);
            }

            output.WriteLine($"RSS after the attackers left: at most {settledPeak >> 20} MiB, then {now >> 20} MiB ({(now - baseline) >> 20} MiB above the start) after {leaving.Elapsed.TotalSeconds:F0} s; {Anonymous(server.Pid) >> 20} MiB of it anonymous");
            foreach (var line in server.Log.Split('\n').Where(l => l.Contains("Memory given back", StringComparison.Ordinal)))
            {
                output.WriteLine(line);
            }

            Assert.True(settledPeak - baseline < AllowedGrowth, $"RSS grew to {(settledPeak - baseline) >> 20} MiB above its start after the attackers left");
            Assert.True(now - baseline <= ReturnBound, $"RSS stayed {(now - baseline) >> 20} MiB above its start {ReturnWithin.TotalSeconds} s after the attackers left (allowed: {ReturnBound >> 20} MiB)");
            Assert.Equal(0, await server.StopAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Issue 12, item 1: connections that exhausted the process's file descriptors made the address
    /// watcher's timer throw ("Too many open files" reading /proc/net/route) and, once that was
    /// caught, the JIT abort the process ("Out of memory": it maps code through a descriptor).
    /// Under a descriptor limit of 256 (about 120 are open before the first connection), with the per-address limit lifted, a flood of idle
    /// connections must be refused before the descriptors run out, and service go on.
    /// </summary>
    [ToolFact("prlimit")]
    public async Task DescriptorExhaustion_DoesNotEndTheProcess_AndServiceResumes()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-fd-").FullName;
        var idle = new List<System.Net.Sockets.Socket>();
        try
        {
            await using var server = await StartAsync(directory, "16MiB", """
                limits:
                  max-connections-per-address: 1000
                  login-timeout: 0
                """, ["prlimit", "--nofile=256:256"]);
            var portal = server.Endpoints[0];
            for (var i = 0; i < 400; i++)
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                idle.Add(socket);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await socket.ConnectAsync(portal, timeout.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    // Refused (reset) or no longer answered (the listen backlog is full): both fine.
                }
            }

            // Long enough for several polls of the address watcher (every 2 s) while out of descriptors.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.False(HasExited(server.Pid), "storlane serve ended while out of file descriptors:\n" + server.Log);

            foreach (var socket in idle)
            {
                socket.Dispose();
            }

            idle.Clear();
            await using var good = await OpenWithRetriesAsync($"iscsi://{portal}/{Iqn}/0");
            var io = await VerifiedIoAsync(good, TimeSpan.FromSeconds(1), seed: 4);
            Assert.True(io.Count > 0);
            var exit = await server.StopAsync();
            Assert.True(exit == 0, $"storlane serve exited with {exit}:\n{server.Log}");
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// "256 concurrent sessions doing verified I/O": the default limits (64 connections per source
    /// address, 256 sessions per target) admit them from four addresses, and each one's data comes
    /// back as written.
    /// </summary>
    [Fact]
    public async Task TwoHundredFiftySixSessions_DoVerifiedIo_UnderTheDefaultLimits()
    {
        var directory = Directory.CreateTempSubdirectory("storlane-256-").FullName;
        var disks = new List<IscsiDisk>();
        try
        {
            await using var server = await StartAsync(directory, "64MiB", "");
            for (var i = 0; i < 256; i++)
            {
                disks.Add(await IscsiDisk.OpenAsync($"iscsi://{server.Endpoints[0]}/{Iqn}/0?local_address=127.0.0.{10 + (i % 4)}"));
            }

            // Each session owns its own 256 KiB of the LUN: writes, flushes and reads back twice.
            var sessions = new List<Task<int>>();
            for (var i = 0; i < disks.Count; i++)
            {
                var disk = disks[i];
                var first = i * (256L * 1024 / disk.BlockSize);
                sessions.Add(Task.Run(async () =>
                {
                    var random = new Random(first.GetHashCode());
                    var data = new byte[64 * 1024];
                    var back = new byte[data.Length];
                    var verified = 0;
                    for (var round = 0; round < 2; round++)
                    {
                        for (var chunk = 0; chunk < 4; chunk++)
                        {
                            random.NextBytes(data);
                            var lba = first + (chunk * data.Length / disk.BlockSize);
                            await disk.WriteAsync(lba, data, forceUnitAccess: round == 1);
                            await disk.ReadAsync(lba, back);
                            verified += data.AsSpan().SequenceEqual(back) ? 1 : 0;
                        }
                    }

                    return verified;
                }));
            }

            var results = await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.All(results, verified => Assert.Equal(8, verified));
            output.WriteLine($"{results.Length} sessions, {results.Sum()} verified 64 KiB write/read pairs");
        }
        finally
        {
            foreach (var disk in disks)
            {
                await disk.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The target may still be working through the backlog of closed connections: retry for a few seconds.</summary>
    private static async Task<IscsiDisk> OpenWithRetriesAsync(string url)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await IscsiDisk.OpenAsync(url);
            }
            catch (Exception) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(250);
            }
        }
    }

    private static bool HasExited(int pid) => !Directory.Exists($"/proc/{pid}");

    /// <summary>Writes a config serving <see cref="Iqn"/> with one memory LUN (plus <paramref name="moreYaml"/> at the root) and starts storlane serve on it.</summary>
    private static async Task<StorlaneServer> StartAsync(string directory, string lunSize, string moreYaml, IReadOnlyList<string>? launcher = null)
    {
        var config = Path.Combine(directory, "storlane.yaml");
        await File.WriteAllTextAsync(config, $$"""
            portals: [{ address: 127.0.0.1, port: 0 }]
            targets:
              - name: {{Iqn}}
                luns: [{ lun: 0, backend: memory, size: {{lunSize}} }]
            {{moreYaml}}
            """);
        return await StorlaneServer.StartAsync(config, directory, directory, launcher);
    }

    /// <summary>Writes seeded data at random places and reads each back, for <paramref name="duration"/>.</summary>
    private static async Task<(int Count, TimeSpan Slowest)> VerifiedIoAsync(IscsiDisk disk, TimeSpan duration, int seed)
    {
        var random = new Random(seed);
        var data = new byte[64 * 1024];
        var back = new byte[data.Length];
        var blocks = data.Length / disk.BlockSize;
        var slowest = TimeSpan.Zero;
        var count = 0;
        var run = Stopwatch.StartNew();
        while (run.Elapsed < duration)
        {
            random.NextBytes(data);
            var lba = random.NextInt64(disk.BlockCount - blocks);
            var one = Stopwatch.StartNew();
            await disk.WriteAsync(lba, data);
            await disk.ReadAsync(lba, back);
            slowest = one.Elapsed > slowest ? one.Elapsed : slowest;
            Assert.True(data.AsSpan().SequenceEqual(back), $"read back differs at LBA {lba}");
            count++;
        }

        return (count, slowest);
    }

    /// <summary>Anonymous memory (heap, stacks, native allocations) of the process, from smaps_rollup; the rest of RSS is mapped files.</summary>
    private static long Anonymous(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
        {
            if (line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(10).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no Anonymous line for process {pid}");
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }
}
