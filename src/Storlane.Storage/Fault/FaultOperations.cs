namespace Storlane.Storage.Fault;

/// <summary>The device operations a fault applies to.</summary>
[Flags]
public enum FaultOperations
{
    None = 0,
    Read = 1,
    Write = 2,
    Flush = 4,
    Unmap = 8,
    All = Read | Write | Flush | Unmap,
}
