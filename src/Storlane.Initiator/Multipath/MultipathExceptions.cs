namespace Storlane.Initiator.Multipath;

/// <summary>Every path to the LU stayed down for <see cref="MultipathOptions.AllPathsDownTimeout"/>; the I/O did not run.</summary>
public sealed class MultipathUnavailableException : IOException
{
    public MultipathUnavailableException(string message, Exception? lastError)
        : base(message, lastError)
    {
    }
}

/// <summary>The URLs given do not all lead to one LU: their VPD 83h designators differ, or one has none.</summary>
public sealed class MultipathGroupingException : IOException
{
    public MultipathGroupingException(string message)
        : base(message)
    {
    }
}
