namespace Storlane.Bench.Workload;

/// <summary>Checks a spec against a target before anything runs, naming the field at fault.</summary>
public static class WorkloadValidator
{
    /// <summary>Problems with <paramref name="spec"/> on a target of this geometry; empty when it can run.</summary>
    public static IReadOnlyList<string> Validate(WorkloadSpec spec, int logicalBlockSize, long targetBytes)
    {
        var problems = new List<string>();
        if (spec.Access.Count == 0)
        {
            problems.Add("access: at least one access line is needed");
        }

        for (var i = 0; i < spec.Access.Count; i++)
        {
            var line = spec.Access[i];
            if (line.BlockSize <= 0 || line.BlockSize % logicalBlockSize != 0)
            {
                problems.Add($"access[{i}].size: {line.BlockSize} is not a positive multiple of the target's {logicalBlockSize}-byte block");
            }

            if (line.Weight <= 0)
            {
                problems.Add($"access[{i}].weight: must be positive");
            }

            if (line.ReadPercent is < 0 or > 100 || line.RandomPercent is < 0 or > 100)
            {
                problems.Add($"access[{i}]: read and random are percentages (0-100)");
            }
        }

        var alignment = spec.Alignment;
        if (alignment < 0 || (alignment > 0 && alignment % logicalBlockSize != 0))
        {
            problems.Add($"alignment: {alignment} is not a multiple of the target's {logicalBlockSize}-byte block");
        }

        if (spec.RegionOffset < 0 || spec.RegionOffset % logicalBlockSize != 0 || spec.RegionLength < 0)
        {
            problems.Add($"region: offset must be a non-negative multiple of {logicalBlockSize} and length non-negative");
        }
        else
        {
            var regionEnd = spec.RegionLength == 0 ? targetBytes : spec.RegionOffset + spec.RegionLength;
            if (regionEnd > targetBytes)
            {
                problems.Add($"region: ends at byte {regionEnd}, past the end of the target ({targetBytes} bytes)");
            }
            else if (regionEnd - spec.RegionOffset < (long)spec.MaxBlockSize * spec.QueueDepth * spec.Workers)
            {
                problems.Add($"region: {regionEnd - spec.RegionOffset} bytes cannot hold queue depth x workers I/Os of {spec.MaxBlockSize} bytes");
            }
        }

        if (spec.QueueDepth is < 1 or > 1024)
        {
            problems.Add("queue depth: must be 1 to 1024");
        }

        if (spec.Workers is < 1 or > 256)
        {
            problems.Add("workers: must be 1 to 256");
        }

        if (spec.IoCount is null && !(spec.DurationSeconds > 0))
        {
            problems.Add("duration: must be positive (or give an I/O count)");
        }

        if (spec.IoCount is <= 0)
        {
            problems.Add("io count: must be positive");
        }

        if (spec.WarmUpSeconds < 0 || spec.ThinkTimeMs < 0)
        {
            problems.Add("warm-up and think time cannot be negative");
        }

        if (spec.RateLimitIops is <= 0 || spec.RateLimitBytesPerSecond is <= 0)
        {
            problems.Add("rate limit: must be positive");
        }

        if (spec.CompressiblePercent is < 0 or > 100)
        {
            problems.Add("compressible: is a percentage (0-100)");
        }

        return problems;
    }
}
