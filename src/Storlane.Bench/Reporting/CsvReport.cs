using System.Globalization;
using System.Text;

namespace Storlane.Bench.Reporting;

/// <summary>
/// One CSV row per run (test, target, repeat), every metric a column; RFC 4180 quoting. The last
/// column, partial, is 1 on every row of a run stopped early (Ctrl-C), 0 otherwise.
/// </summary>
public static class CsvReport
{
    private const string Header = "test,target,run,block_sizes,queue_depth,workers,read_ios,write_ios,elapsed_s,iops,mb_per_s,mean_ms,p50_ms,p90_ms,p99_ms,p99_9_ms,max_ms,cpu_percent,iops_per_cpu_percent,max_outstanding,verify_errors,io_errors,failovers,partial";

    public static string Format(BenchReport report)
    {
        var text = new StringBuilder().AppendLine(Header);
        var partial = report.Partial is null ? "0" : "1";
        foreach (var test in report.Tests)
        {
            var sizes = string.Join('+', test.Workload.Access.Select(line => line.BlockSize));
            foreach (var result in test.Results)
            {
                for (var run = 0; run < result.Runs.Count; run++)
                {
                    var m = result.Runs[run];
                    text.AppendLine(string.Join(',',
                        Quote(test.Name), Quote(report.Targets[result.Target].Spec), Number(run + 1), sizes, Number(test.Workload.QueueDepth), Number(test.Workload.Workers),
                        Number(m.ReadIos), Number(m.WriteIos), Number(m.ElapsedSeconds), Number(m.Iops), Number(m.MegabytesPerSecond),
                        Number(m.MeanLatencyMs), Number(m.P50LatencyMs), Number(m.P90LatencyMs), Number(m.P99LatencyMs), Number(m.P999LatencyMs), Number(m.MaxLatencyMs),
                        Number(m.CpuPercent), Number(m.IopsPerCpuPercent), Number(m.MaxOutstandingPerWorker), Number(m.VerifyErrors),
                        Number(m.IoErrors), Number(m.Failovers.Count), partial));
                }
            }
        }

        return text.ToString();
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
