using System.Globalization;
using Storlane.Initiator;
using Storlane.Initiator.Session;
using Storlane.Protocol.Scsi;
using Storlane.Target.Observability;

namespace Storlane.Management.Tests;

/// <summary>
/// /metrics beyond counts: per-LUN latency histograms with the storage buckets, outstanding
/// commands, CHECK CONDITIONs and unit attentions; per-session commands, PDUs, R2Ts and digest errors.
/// </summary>
public class LunSessionMetricsTests
{
    [Fact]
    public async Task LatencyHistogram_HasTheStorageBuckets_AndCountsEachGoodReadAndWrite()
    {
        await using var host = await ApiHost.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync($"iscsi://127.0.0.1:{host.Port}/{ApiHost.TargetName}/0");
        var buffer = new byte[4096];
        for (var i = 0; i < 3; i++)
        {
            await disk.ReadAsync(i * 8, buffer);
        }

        await disk.WriteAsync(0, buffer);

        var lines = await ScrapeAsync(host);
        var read = Lun(lines, "storlane_lun_latency_seconds_bucket{", "0", "op=\"read\"");
        Assert.Equal(TargetMetrics.LatencyBuckets.Count + 1, read.Count);
        Assert.Contains(read, l => l.Contains("le=\"0.00025\"", StringComparison.Ordinal));
        Assert.Equal(3, ValueOf(Assert.Single(read, l => l.Contains("le=\"+Inf\"", StringComparison.Ordinal))));
        Assert.Equal(3, ValueOf(Assert.Single(Lun(lines, "storlane_lun_latency_seconds_count{", "0", "op=\"read\""))));
        Assert.Equal(1, ValueOf(Assert.Single(Lun(lines, "storlane_lun_latency_seconds_count{", "0", "op=\"write\""))));
        Assert.True(ValueOf(Assert.Single(Lun(lines, "storlane_lun_latency_seconds_sum{", "0", "op=\"read\""))) > 0);
        Assert.Equal(0, ValueOf(Assert.Single(Lun(lines, "storlane_lun_outstanding{", "0"))));
    }

    [Fact]
    public async Task CheckConditionsAndUnitAttentions_AreCountedPerLun()
    {
        await using var host = await ApiHost.StartAsync();
        await using var resetter = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        await using var other = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        byte[] testUnitReady = new byte[6];
        Assert.True((await other.ExecuteAsync(0, testUnitReady, default, default)).IsGood);

        // SAM-5 6.6: a LOGICAL UNIT RESET sets a unit attention for the other I_T nexuses.
        await resetter.LogicalUnitResetAsync(0);
        var attention = await other.ExecuteAsync(0, testUnitReady, default, default);
        Assert.True(attention.IsUnitAttention, $"expected a unit attention, got {attention.Status}");

        // READ(10) past the end of the 16 MiB LUN: CHECK CONDITION, ILLEGAL REQUEST.
        byte[] readPastEnd = [(byte)ScsiOpcode.Read10, 0, 0x7F, 0xFF, 0xFF, 0xF0, 0, 0, 1, 0];
        var outOfRange = await other.ExecuteAsync(0, readPastEnd, new byte[512], default);
        Assert.Equal(ScsiStatus.CheckCondition, outOfRange.Status);

        var lines = await ScrapeAsync(host);
        Assert.Equal(2, ValueOf(Assert.Single(Lun(lines, "storlane_lun_check_conditions_total{", "0"))));
        Assert.Equal(1, ValueOf(Assert.Single(Lun(lines, "storlane_lun_unit_attentions_total{", "0"))));
        Assert.Equal(0, ValueOf(Assert.Single(Lun(lines, "storlane_lun_check_conditions_total{", "1"))));
    }

    [Fact]
    public async Task SessionCounters_CountCommandsPdusAndR2Ts_PerSession()
    {
        await using var host = await ApiHost.StartAsync();
        await using var session = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);
        await using var idle = await IscsiSession.ConnectAsync("127.0.0.1", host.Port, ApiHost.TargetName);

        // A write longer than FirstBurstLength needs R2Ts for the rest (RFC 7143 13.14).
        var length = Math.Max(session.Parameters.FirstBurstLength, 64 * 1024) * 2;
        var blocks = length / 512;
        byte[] write = [(byte)ScsiOpcode.Write10, 0, 0, 0, 0, 0, 0, (byte)(blocks >> 8), (byte)blocks, 0];
        (await session.ExecuteAsync(0, write, default, new byte[length])).ThrowIfFailed();
        (await session.ExecuteAsync(0, new byte[6], default, default)).ThrowIfFailed();

        var lines = await ScrapeAsync(host);
        var tsih = $"tsih=\"{session.Tsih}\"";
        var commands = ValueOf(Assert.Single(lines, l => l.StartsWith("storlane_session_commands_total{", StringComparison.Ordinal) && l.Contains(tsih, StringComparison.Ordinal)));
        var pdus = ValueOf(Assert.Single(lines, l => l.StartsWith("storlane_session_pdus_total{", StringComparison.Ordinal) && l.Contains(tsih, StringComparison.Ordinal)));
        var r2ts = ValueOf(Assert.Single(lines, l => l.StartsWith("storlane_session_r2ts_total{", StringComparison.Ordinal) && l.Contains(tsih, StringComparison.Ordinal)));
        Assert.Equal(2, commands);
        Assert.True(pdus >= commands + r2ts, $"{pdus} PDUs for {commands} commands and the Data-Out answering {r2ts} R2Ts");
        Assert.True(r2ts >= 1, $"a {length}-byte write past FirstBurstLength {session.Parameters.FirstBurstLength} was sent with {r2ts} R2Ts");
        Assert.Equal(0, ValueOf(Assert.Single(lines, l => l.StartsWith("storlane_session_digest_errors_total{", StringComparison.Ordinal) && l.Contains(tsih, StringComparison.Ordinal))));
        Assert.Equal(0, ValueOf(Assert.Single(lines, l => l.StartsWith("storlane_session_commands_total{", StringComparison.Ordinal) && l.Contains($"tsih=\"{idle.Tsih}\"", StringComparison.Ordinal))));
    }

    private static async Task<string[]> ScrapeAsync(ApiHost host)
    {
        using var client = host.Client(ApiHost.MonitorToken);
        return (await client.GetStringAsync("/metrics")).Split('\n');
    }

    private static List<string> Lun(string[] lines, string prefix, string lun, string? also = null) =>
        [.. lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains($"lun=\"{lun}\"", StringComparison.Ordinal) && (also is null || l.Contains(also, StringComparison.Ordinal)))];

    private static double ValueOf(string line) =>
        double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}
