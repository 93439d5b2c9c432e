using Microsoft.Extensions.Time.Testing;

namespace Storlane.TestSupport;

/// <summary>
/// Stepping a <see cref="FakeTimeProvider"/> until what a product timeout should cause has happened:
/// the product's timer may be created a moment after the test starts stepping, and the work a tick
/// starts runs on another thread, so the test steps, lets that work run, and looks again.
/// </summary>
public static class ClockSteps
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="task"/> ends;
    /// returns how much fake time that took. Throws <see cref="TimeoutException"/> after
    /// <paramref name="patience"/> of real time (default <see cref="Eventually.DefaultPatience"/>).
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(this FakeTimeProvider time, Task task, TimeSpan step, TimeSpan? patience = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(task);
        var limit = patience ?? Eventually.DefaultPatience;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(limit.TotalSeconds * TimeProvider.System.TimestampFrequency);
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException("still waiting after " + advanced + " of fake time and " + limit + " of real time");
            }

            time.Advance(step);
            advanced += step;
            await Task.WhenAny(task, Task.Delay(10));
        }

        await task; // its failure is the test's
        return advanced;
    }

    /// <summary>Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="condition"/> holds; returns the fake time that took.</summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> condition, TimeSpan step, TimeSpan? patience = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var done = Eventually.TrueAsync(condition, patience);
        return await time.AdvanceUntilAsync(done, step, patience);
    }
}
