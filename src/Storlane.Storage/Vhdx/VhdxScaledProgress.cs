namespace Storlane.Storage.Vhdx;

/// <summary>Turns "bytes done of <paramref name="total"/>" into thousandths, so callers need not know the total up front.</summary>
internal sealed class VhdxScaledProgress(IProgress<long> inner, long total) : IProgress<long>
{
    public const int Scale = 1000;

    public void Report(long value) => inner.Report(total <= 0 ? Scale : Math.Min(Scale, value * Scale / total));
}
