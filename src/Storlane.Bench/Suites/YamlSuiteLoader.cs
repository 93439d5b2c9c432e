using System.Globalization;
using Storlane.Bench.Workload;
using Storlane.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Storlane.Bench.Suites;

/// <summary>
/// Reads a custom suite (docs/bench.md shows the format): top-level defaults, then tests, each with
/// an Iometer-style weighted access list or the size/read/random shortcut. Every problem is reported
/// as "file:line:column: reason", all of them at once.
/// </summary>
public static class YamlSuiteLoader
{
    private static readonly string[] TestKeys =
    [
        "name", "size", "read", "random", "access", "queue_depth", "workers", "alignment", "region_offset", "region_length",
        "duration", "io_count", "warmup", "rate_iops", "rate_bytes", "think_time", "pattern", "compressible", "verify", "seed", "metric",
    ];

    private static readonly string[] AccessKeys = ["size", "weight", "read", "random"];

    public static BenchSuite Load(string path) => Parse(File.ReadAllText(path), path);

    public static BenchSuite Parse(string yaml, string fileName)
    {
        var problems = new List<string>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SuiteFormatException([$"{fileName}:{ex.Start.Line}:{ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}"]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SuiteFormatException([$"{fileName}:1:1: a suite is a mapping with 'name' and 'tests'"]);
        }

        var context = new Context(fileName, problems);
        var defaults = new TestDraft();
        string name = Path.GetFileNameWithoutExtension(fileName);
        YamlSequenceNode? testNodes = null;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (key == "tests")
            {
                testNodes = value as YamlSequenceNode;
                if (testNodes is null)
                {
                    context.Report(value, "'tests' must be a list");
                }
            }
            else if (key == "name")
            {
                name = context.Scalar(value) ?? name;
            }
            else
            {
                ApplyKey(context, defaults, keyNode, key, value);
            }
        }

        var tests = new List<SuiteTest>();
        if (testNodes is null || testNodes.Children.Count == 0)
        {
            context.Report(root, "the suite has no tests ('tests:' with at least one entry)");
        }
        else
        {
            foreach (var testNode in testNodes.Children)
            {
                if (testNode is not YamlMappingNode mapping)
                {
                    context.Report(testNode, "each test is a mapping (name, size, read, ...)");
                    continue;
                }

                var draft = defaults.Clone();
                foreach (var (keyNode, value) in mapping.Children)
                {
                    ApplyKey(context, draft, keyNode, ((YamlScalarNode)keyNode).Value ?? "", value);
                }

                if (draft.Name is null)
                {
                    context.Report(mapping, "the test has no 'name'");
                }

                if (draft.Access.Count == 0 && !draft.SizeGiven)
                {
                    context.Report(mapping, "the test has neither 'size' nor 'access'");
                }

                tests.Add(new SuiteTest(draft.Name ?? "?", draft.ToSpec(), draft.Metric));
            }
        }

        if (problems.Count > 0)
        {
            throw new SuiteFormatException(problems);
        }

        return new BenchSuite(name, tests);
    }

    private static void ApplyKey(Context context, TestDraft draft, YamlNode keyNode, string key, YamlNode value)
    {
        switch (key)
        {
            case "name": draft.Name = context.Scalar(value); break;
            case "size": draft.Size = context.Size(value); draft.SizeGiven = true; break;
            case "read": draft.Read = context.Percent(value); break;
            case "random": draft.Random = context.Percent(value); break;
            case "access": draft.Access = ParseAccess(context, value); break;
            case "queue_depth": draft.Spec = draft.Spec with { QueueDepth = context.Int(value) }; break;
            case "workers": draft.Spec = draft.Spec with { Workers = context.Int(value) }; break;
            case "alignment": draft.Spec = draft.Spec with { Alignment = context.Size(value) ?? 0 }; break;
            case "region_offset": draft.Spec = draft.Spec with { RegionOffset = context.Size(value) ?? 0 }; break;
            case "region_length": draft.Spec = draft.Spec with { RegionLength = context.Size(value) ?? 0 }; break;
            case "duration": draft.Spec = draft.Spec with { DurationSeconds = context.Duration(value) }; break;
            case "io_count": draft.Spec = draft.Spec with { IoCount = context.Int(value) }; break;
            case "warmup": draft.Spec = draft.Spec with { WarmUpSeconds = context.Duration(value) }; break;
            case "rate_iops": draft.Spec = draft.Spec with { RateLimitIops = context.Int(value) }; break;
            case "rate_bytes": draft.Spec = draft.Spec with { RateLimitBytesPerSecond = context.Size(value) }; break;
            case "think_time": draft.Spec = draft.Spec with { ThinkTimeMs = context.Duration(value) * 1000 }; break;
            case "pattern": draft.Spec = draft.Spec with { Pattern = context.Enum<DataPattern>(value) }; break;
            case "compressible": draft.Spec = draft.Spec with { CompressiblePercent = context.Percent(value) }; break;
            case "verify": draft.Spec = draft.Spec with { Verify = context.Bool(value) }; break;
            case "seed": draft.Spec = draft.Spec with { Seed = context.Int(value) }; break;
            case "metric": draft.Metric = context.Enum<PrimaryMetric>(value); break;
            default: context.Report(keyNode, $"unknown key '{key}'{Suggest(key, TestKeys)}"); break;
        }
    }

    private static List<AccessLine> ParseAccess(Context context, YamlNode value)
    {
        var lines = new List<AccessLine>();
        if (value is not YamlSequenceNode sequence)
        {
            context.Report(value, "'access' is a list of { size, weight, read, random }");
            return lines;
        }

        foreach (var item in sequence.Children)
        {
            if (item is not YamlMappingNode mapping)
            {
                context.Report(item, "an access line is a mapping { size, weight, read, random }");
                continue;
            }

            var line = new AccessLine { BlockSize = 0 };
            foreach (var (keyNode, field) in mapping.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                line = key switch
                {
                    "size" => line with { BlockSize = (int)(context.Size(field) ?? 0) },
                    "weight" => line with { Weight = context.Int(field) },
                    "read" => line with { ReadPercent = context.Percent(field) },
                    "random" => line with { RandomPercent = context.Percent(field) },
                    _ => Unknown(context, keyNode, key, line),
                };
            }

            if (line.BlockSize <= 0)
            {
                context.Report(mapping, "the access line has no 'size'");
            }

            lines.Add(line);
        }

        return lines;
    }

    private static AccessLine Unknown(Context context, YamlNode keyNode, string key, AccessLine line)
    {
        context.Report(keyNode, $"unknown access key '{key}'{Suggest(key, AccessKeys)}");
        return line;
    }

    private static string Suggest(string key, string[] known)
    {
        foreach (var candidate in known)
        {
            if (candidate.StartsWith(key[..Math.Min(3, key.Length)], StringComparison.OrdinalIgnoreCase))
            {
                return $" (did you mean '{candidate}'?)";
            }
        }

        return $" (known keys: {string.Join(", ", known)})";
    }

    /// <summary>A test under construction; a clone of the suite's defaults to start with.</summary>
    private sealed class TestDraft
    {
        public string? Name { get; set; }

        public long? Size { get; set; }

        /// <summary>True once a 'size' key was seen, even a bad one (already reported).</summary>
        public bool SizeGiven { get; set; }

        public int Read { get; set; } = 100;

        public int Random { get; set; } = 100;

        public List<AccessLine> Access { get; set; } = [];

        public PrimaryMetric Metric { get; set; } = PrimaryMetric.Iops;

        public WorkloadSpec Spec { get; set; } = new() { Access = [] };

        public TestDraft Clone() => (TestDraft)MemberwiseClone();

        public WorkloadSpec ToSpec() => Spec with
        {
            Access = Access.Count > 0 ? Access : [new AccessLine { BlockSize = (int)(Size ?? 0), ReadPercent = Read, RandomPercent = Random }],
        };
    }

    private sealed class Context(string fileName, List<string> problems)
    {
        public void Report(YamlNode node, string message) => problems.Add($"{fileName}:{node.Start.Line}:{node.Start.Column}: {message}");

        public string? Scalar(YamlNode node)
        {
            if (node is YamlScalarNode { Value: { } text })
            {
                return text;
            }

            Report(node, "expected a single value");
            return null;
        }

        public int Int(YamlNode node)
        {
            var text = Scalar(node);
            if (text is not null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            if (text is not null)
            {
                Report(node, $"'{text}' is not a whole number");
            }

            return 0;
        }

        public int Percent(YamlNode node)
        {
            var value = Int(node);
            if (value is < 0 or > 100)
            {
                Report(node, $"{value} is not a percentage (0-100)");
            }

            return value;
        }

        public long? Size(YamlNode node)
        {
            var text = Scalar(node);
            if (text is not null && ByteSize.TryParse(text, out var bytes))
            {
                return bytes;
            }

            if (text is not null)
            {
                Report(node, $"'{text}' is not a size: expected {ByteSize.Expected}");
            }

            return null;
        }

        public double Duration(YamlNode node)
        {
            var text = Scalar(node);
            if (text is not null && DurationText.TryParseSeconds(text, out var seconds))
            {
                return seconds;
            }

            if (text is not null)
            {
                Report(node, $"'{text}' is not {DurationText.Expected}");
            }

            return 0;
        }

        public bool Bool(YamlNode node)
        {
            var text = Scalar(node);
            if (text is "true" or "yes" or "on")
            {
                return true;
            }

            if (text is not null and not "false" and not "no" and not "off")
            {
                Report(node, $"'{text}' is not true or false");
            }

            return false;
        }

        public T Enum<T>(YamlNode node)
            where T : struct, System.Enum
        {
            var text = Scalar(node)?.Replace("_", "", StringComparison.Ordinal).Replace("/", "", StringComparison.Ordinal);
            if (text is not null && System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _))
            {
                return value;
            }

            Report(node, $"'{Scalar(node)}' is not one of: {string.Join(", ", System.Enum.GetNames<T>()).ToLowerInvariant()}");
            return default;
        }
    }
}
