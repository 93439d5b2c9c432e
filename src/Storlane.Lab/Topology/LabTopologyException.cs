namespace Storlane.Lab.Topology;

/// <summary>A topology could not be built or changed; the message says which step failed and why.</summary>
public sealed class LabTopologyException : Exception
{
    public LabTopologyException(string message)
        : base(message)
    {
    }

    public LabTopologyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
