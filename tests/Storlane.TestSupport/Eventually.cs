namespace Storlane.TestSupport;

/// <summary>Waiting for something another thread or process makes true, with a deadline so a test fails instead of hanging.</summary>
public static class Eventually
{
    /// <summary>How long a test waits for a condition unless it says otherwise: long enough for a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> after <paramref name="patience"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan? patience = null, string? what = null)
    {
        var limit = patience ?? DefaultPatience;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(limit.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException((what ?? "the condition") + " did not hold within " + limit.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + " s");
            }

            await Task.Delay(10);
        }
    }
}
