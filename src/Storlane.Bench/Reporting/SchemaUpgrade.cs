using System.Text.Json.Nodes;

namespace Storlane.Bench.Reporting;

/// <summary>
/// Brings an older result file up to <see cref="BenchReport.CurrentSchema"/> before it is read, so
/// <c>bench compare</c> keeps working on files written before the schema changed.
/// </summary>
internal static class SchemaUpgrade
{
    public const string Version1 = "storlane-bench/1";

    /// <summary>
    /// Version 1 had one sample per second (<c>second</c>); version 2 has intervals of
    /// <c>sampleIntervalSeconds</c> starting at <c>startSeconds</c>, with their I/O count. The count
    /// of a v1 sample is its rate times one second, except for a scaled partial last second.
    /// </summary>
    public static void FromVersion1(JsonObject report)
    {
        report["schema"] = BenchReport.CurrentSchema;
        foreach (var test in Array(report["tests"]))
        {
            foreach (var result in Array(test?["results"]))
            {
                foreach (var run in Array(result?["runs"]))
                {
                    if (run is not JsonObject measurement)
                    {
                        continue;
                    }

                    measurement["sampleIntervalSeconds"] = 1.0;
                    foreach (var sample in Array(measurement["timeSeries"]))
                    {
                        if (sample is JsonObject point && point["second"] is { } second)
                        {
                            point["startSeconds"] = second.GetValue<double>();
                            point["ios"] = (long)Math.Round(point["iops"]?.GetValue<double>() ?? 0);
                            point.Remove("second");
                        }
                    }
                }
            }
        }
    }

    private static JsonArray Array(JsonNode? node) => node as JsonArray ?? [];
}
