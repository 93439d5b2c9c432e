using Storlane.Initiator.Multipath;

namespace Storlane.Initiator.Tests.Multipath;

/// <summary>A path with load counters the test sets by hand.</summary>
internal sealed class FakePath(int index) : ISelectablePath
{
    public int Index { get; } = index;

    public int Outstanding { get; set; }

    public long OutstandingBytes { get; set; }

    public int Weight { get; set; }

    public bool IsStandby { get; set; }

    public double RelativeThroughput { get; set; } = 1.0;

    public static FakePath[] Make(int count)
    {
        var paths = new FakePath[count];
        for (var i = 0; i < count; i++)
        {
            paths[i] = new FakePath(i);
        }

        return paths;
    }
}
