namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// The outcome of one <c>iscsi-test-cu</c> run, test by test. CUnit counts a test that printed
/// "[SKIPPED]" (the target lacks the command, or the test needs something we cannot provide) as
/// passed; here it is a skip, so the pass count means "conformance checked and met".
/// Output shape (libiscsi 1.19): "Suite: NAME", then per test "  Test: NAME ..." followed by its log
/// lines and a line starting with "passed" or "FAILED" (on the same line when it printed nothing).
/// </summary>
internal sealed class ConformanceReport
{
    private const string SkipMark = "[SKIPPED]";

    public List<string> Passed { get; } = [];

    public List<(string Test, string Reason)> Skipped { get; } = [];

    public List<string> Failed { get; } = [];

    public int Total => Passed.Count + Skipped.Count + Failed.Count;

    public static ConformanceReport Parse(string output)
    {
        var report = new ConformanceReport();
        string? suite = null;
        string? test = null;
        string? skipReason = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("Suite: ", StringComparison.Ordinal))
            {
                suite = line[7..].Trim();
                continue;
            }

            if (line.StartsWith("  Test: ", StringComparison.Ordinal))
            {
                var dots = line.IndexOf(" ...", StringComparison.Ordinal);
                test = $"{suite}.{(dots < 0 ? line[8..] : line[8..dots])}";
                skipReason = null;
                line = dots < 0 ? string.Empty : line[(dots + 4)..];
            }

            if (test is null)
            {
                continue;
            }

            if (line.StartsWith("passed", StringComparison.Ordinal))
            {
                if (skipReason is null)
                {
                    report.Passed.Add(test);
                }
                else
                {
                    report.Skipped.Add((test, skipReason));
                }

                test = null;
            }
            else if (line.StartsWith("FAILED", StringComparison.Ordinal))
            {
                report.Failed.Add(test);
                test = null;
            }
            else if (skipReason is null && line.IndexOf(SkipMark, StringComparison.Ordinal) is var mark and >= 0)
            {
                skipReason = line[(mark + SkipMark.Length)..].Trim();
            }
        }

        return report;
    }

    public string Summary() => $"{Passed.Count} passed, {Skipped.Count} skipped, {Failed.Count} failed of {Total}";
}
