namespace Storlane.Lab.Ceph;

/// <summary>A throwaway Ceph cluster could not be started or driven; the message says which step failed and why.</summary>
public sealed class CephClusterException : Exception
{
    public CephClusterException(string message)
        : base(message)
    {
    }

    public CephClusterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
