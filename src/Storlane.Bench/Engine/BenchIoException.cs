namespace Storlane.Bench.Engine;

/// <summary>An I/O of the workload failed; the test stopped. The inner exception is the target's error.</summary>
public sealed class BenchIoException : Exception
{
    public BenchIoException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
