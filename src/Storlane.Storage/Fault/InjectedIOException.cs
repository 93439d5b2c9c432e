namespace Storlane.Storage.Fault;

/// <summary>The I/O error a <see cref="FaultInjectingBlockDevice"/> injects, so tests can tell it from a real one.</summary>
public sealed class InjectedIOException : IOException
{
    public InjectedIOException(string message)
        : base(message)
    {
    }
}
