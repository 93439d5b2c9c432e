namespace Storlane.Cli.Commands;

/// <summary>Prints "what: N%" to stderr at most once per percent, so long operations show they are alive.</summary>
internal sealed class DiskProgress(TextWriter writer, string what, long total) : IProgress<long>
{
    private int _lastPercent = -1;

    public void Report(long value)
    {
        var percent = total <= 0 ? 100 : (int)Math.Min(100, value * 100 / total);
        if (Interlocked.Exchange(ref _lastPercent, percent) != percent)
        {
            writer.WriteLine($"{what}: {percent}%");
        }
    }
}
