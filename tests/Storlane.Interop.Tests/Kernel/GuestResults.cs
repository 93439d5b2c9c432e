using Storlane.Lab.Vm;

namespace Storlane.Interop.Tests.Kernel;

/// <summary>The "RESULT key=value ..." lines a guest script printed (lib.sh's <c>result</c>), last value wins.</summary>
internal sealed class GuestResults
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly VmResult _run;

    public GuestResults(VmResult run)
    {
        _run = run;
        foreach (var line in run.GuestLog.Split('\n'))
        {
            if (!line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                continue;
            }

            // "RESULT lun0 logical=512 ..." keys its pairs by the first word: lun0.logical.
            var words = line["RESULT ".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var prefix = words.Length > 1 && !words[0].Contains('=', StringComparison.Ordinal) ? words[0] + "." : string.Empty;
            foreach (var word in words)
            {
                var equals = word.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    _values[prefix + word[..equals]] = word[(equals + 1)..];
                }
            }
        }
    }

    /// <summary>The guest script's whole output, for failure messages.</summary>
    public string Log => _run.GuestLog;

    /// <summary>The value the guest reported for <paramref name="key"/>; fails with the guest's whole run when it reported none.</summary>
    public string this[string key] =>
        _values.TryGetValue(key, out var value) ? value : throw new Xunit.Sdk.XunitException($"the guest reported no '{key}':\n{_run.Describe()}");

    public long Number(string key) => long.Parse(this[key], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Asserts the guest's value, showing its whole run when it differs.</summary>
    public void AssertEqual(string expected, string key)
    {
        var actual = this[key];
        Assert.True(expected == actual, $"{key}: expected {expected}, the guest reported {actual}\n{_run.Describe()}");
    }
}
