using System.Text.Json.Nodes;
using Spectre.Console;
using Storlane.Bench.Metrics;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

/// <summary>The result file's schema 2 (a contract with the lab, which reads it) and how failovers show in every report.</summary>
public sealed class ResultFileTests
{
    private static readonly FailoverRecord Failover = new(1.25, "127.0.0.2:3260", "127.0.0.1:3260", 12.5, 7, "connection aborted");

    private static BenchReport MultipathReport(long ioErrors = 0) => new()
    {
        StorlaneVersion = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Machine = MachineInfo.Current(),
        Suite = "failover",
        Repeat = 1,
        Order = "single",
        Targets =
        [
            new BenchTargetInfo
            {
                Spec = "multipath:round-robin:iscsi://127.0.0.1:3260/iqn.x/0|iscsi://127.0.0.2:3260/iqn.x/0",
                Kind = "multipath",
                LogicalBlockSize = 512,
                PhysicalBlockSize = 4096,
                BlockCount = 1 << 17,
                Paths = ["127.0.0.1:3260", "127.0.0.2:3260"],
                PathPolicy = "round-robin",
            },
        ],
        Tests =
        [
            new TestReport
            {
                Name = "Read 4K QD16",
                Metric = PrimaryMetric.Iops,
                Workload = WorkloadSpec.Simple(4096, 100, 100, 16),
                Results =
                [
                    new TargetRuns
                    {
                        Target = 0,
                        Runs =
                        [
                            new TestMeasurement
                            {
                                ReadIos = 3000,
                                Iops = 1000,
                                IoErrors = ioErrors,
                                FirstIoError = ioErrors > 0 ? "read of 4096 bytes at offset 0: all 2 paths down" : null,
                                Failovers = [Failover],
                                Paths = [new("127.0.0.1:3260", 2000, 0, 8_192_000, "active"), new("127.0.0.2:3260", 1000, 7, 4_096_000, "probation")],
                                SampleIntervalSeconds = 0.1,
                                TimeSeries = [new(0, 100, 1000, 4.096, 1), new(0.1, 100, 1000, 4.096, 1)],
                            },
                        ],
                    },
                ],
            },
        ],
    };

    [Fact]
    public void Json_CarriesTheSchema2Fields_TheLabReads()
    {
        var json = JsonNode.Parse(JsonReport.Serialize(MultipathReport(ioErrors: 2)))!;
        var run = json["tests"]![0]!["results"]![0]!["runs"]![0]!;

        Assert.Equal("storlane-bench/2", json["schema"]!.GetValue<string>());
        Assert.Equal("round-robin", json["targets"]![0]!["pathPolicy"]!.GetValue<string>());
        Assert.Equal(2, json["targets"]![0]!["paths"]!.AsArray().Count);
        Assert.Equal(2, run["ioErrors"]!.GetValue<long>());
        Assert.Equal(0.1, run["sampleIntervalSeconds"]!.GetValue<double>());
        var failover = run["failovers"]![0]!;
        Assert.Equal(1.25, failover["atSeconds"]!.GetValue<double>());
        Assert.Equal("127.0.0.2:3260", failover["fromPath"]!.GetValue<string>());
        Assert.Equal("127.0.0.1:3260", failover["toPath"]!.GetValue<string>());
        Assert.Equal(12.5, failover["durationMs"]!.GetValue<double>());
        Assert.Equal(7, failover["retriedIos"]!.GetValue<int>());
        Assert.Equal("connection aborted", failover["reason"]!.GetValue<string>());
        var path = run["paths"]![1]!;
        Assert.Equal(["name", "completed", "errors", "bytes", "state"], path.AsObject().Select(p => p.Key));
        Assert.Equal("probation", path["state"]!.GetValue<string>());
        var sample = run["timeSeries"]![1]!;
        Assert.Equal(["startSeconds", "ios", "iops", "megabytesPerSecond", "meanLatencyMs"], sample.AsObject().Select(p => p.Key));
        Assert.Equal(0.1, sample["startSeconds"]!.GetValue<double>());
    }

    [Fact]
    public async Task Schema2File_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"storlane-bench-{Guid.NewGuid():N}.json");
        try
        {
            await JsonReport.WriteAsync(MultipathReport(), path);
            var run = (await JsonReport.ReadAsync(path)).Tests[0].Results[0].Runs[0];

            Assert.Equal(Failover, Assert.Single(run.Failovers));
            Assert.Equal(["active", "probation"], run.Paths.Select(p => p.State));
            Assert.Equal(0.1, run.TimeSeries[1].StartSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Version1File_IsUpgradedAsItIsRead_SecondsBecomeOneSecondIntervals()
    {
        const string Version1 = """
            { "schema": "storlane-bench/1", "storlaneVersion": "0.1", "createdUtc": "2026-11-20T10:00:00+00:00",
              "machine": { "hostName": "h", "operatingSystem": "Linux", "architecture": "X64", "processorCount": 2, "processorModel": null, "runtime": ".NET 10" },
              "suite": "anvil", "repeat": 1, "order": "single",
              "targets": [ { "spec": "memory:1GiB", "kind": "memory", "logicalBlockSize": 512, "physicalBlockSize": 512, "blockCount": 2097152, "sizeBytes": 1073741824, "paths": [], "pathPolicy": null, "directIo": false } ],
              "tests": [ { "name": "Read 4K", "metric": "iops", "workload": { "access": [ { "blockSize": 4096, "weight": 1, "readPercent": 100, "randomPercent": 100 } ], "queueDepth": 1, "workers": 1 },
                "results": [ { "target": 0, "runs": [ { "readIos": 3000, "iops": 1500, "elapsedSeconds": 2,
                  "timeSeries": [ { "second": 0, "iops": 1400, "megabytesPerSecond": 5.7, "meanLatencyMs": 0.7 }, { "second": 1, "iops": 1600, "megabytesPerSecond": 6.5, "meanLatencyMs": 0.6 } ] } ] } ] } ]
            }
            """;
        var path = Path.Combine(Path.GetTempPath(), $"storlane-bench-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, Version1);
            var report = await JsonReport.ReadAsync(path);
            var run = report.Tests[0].Results[0].Runs[0];

            Assert.Equal(BenchReport.CurrentSchema, report.Schema);
            Assert.Equal(1, run.SampleIntervalSeconds);
            Assert.Equal([0.0, 1.0], run.TimeSeries.Select(s => s.StartSeconds));
            Assert.Equal([1400L, 1600L], run.TimeSeries.Select(s => s.Ios));
            Assert.Equal(1600, run.TimeSeries[1].Iops);
            Assert.Empty(run.Failovers);
            Assert.Equal(0, run.IoErrors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task UnknownSchema_IsRefusedByName()
    {
        var path = Path.Combine(Path.GetTempPath(), $"storlane-bench-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(path, """{ "schema": "storlane-bench/9" }""");

            var error = await Assert.ThrowsAsync<InvalidDataException>(() => JsonReport.ReadAsync(path));

            Assert.Contains("schema 'storlane-bench/9'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ConsoleTable_ShowsErrorsAndFailovers_WhenThereAreAny()
    {
        var output = Render(MultipathReport(ioErrors: 2));

        Assert.Contains("I/O errors", output, StringComparison.Ordinal);
        Assert.Contains("Failovers", output, StringComparison.Ordinal);
        Assert.Contains("failover at 1.250 s from 127.0.0.2:3260 to 127.0.0.1:3260 in 12.5 ms, 7 I/O(s) retried (connection aborted)", output, StringComparison.Ordinal);
        Assert.Contains("2 I/O error(s); first: read of 4096 bytes at offset 0: all 2 paths down", output, StringComparison.Ordinal);
        Assert.Contains("2 paths, round-robin", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsoleTable_HasNoFaultColumns_WhenNothingFailed()
    {
        var report = MultipathReport();
        var quiet = report with { Tests = [report.Tests[0] with { Results = [new TargetRuns { Target = 0, Runs = [new TestMeasurement { Iops = 1000 }] }] }] };
        var output = Render(quiet);

        Assert.Contains("Read 4K QD16", output, StringComparison.Ordinal);
        Assert.DoesNotContain("I/O errors", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Failovers", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_MarksEachFailoverOnTheTimeSeries()
    {
        var html = HtmlReport.Format(MultipathReport());

        Assert.Equal(1, html.Split("class='failover'").Length - 1);
        Assert.Contains("IOPS per 100 ms", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_EndsWithIoErrorsFailoversAndPartial()
    {
        var lines = CsvReport.Format(MultipathReport(ioErrors: 2)).TrimEnd().Split('\n');

        Assert.EndsWith(",verify_errors,io_errors,failovers,partial", lines[0].TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith(",2,1,0", lines[1].TrimEnd(), StringComparison.Ordinal);
    }

    private static string Render(BenchReport report)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 250;
        ConsoleReport.Render(console, report);
        return writer.ToString();
    }
}
