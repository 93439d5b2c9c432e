namespace Storlane.Lab.Vm;

/// <summary>A guest VM could not be prepared, started or run; the message says what and why.</summary>
public sealed class VmException : Exception
{
    public VmException()
    {
    }

    public VmException(string message)
        : base(message)
    {
    }

    public VmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
