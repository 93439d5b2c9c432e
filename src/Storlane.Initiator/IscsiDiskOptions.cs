using Storlane.Initiator.Session;

namespace Storlane.Initiator;

/// <summary>Options for <see cref="IscsiDisk.OpenAsync(string, IscsiDiskOptions?, CancellationToken)"/>.</summary>
public sealed class IscsiDiskOptions
{
    /// <summary>Login and keepalive settings. CHAP credentials in the URL take precedence over the ones here.</summary>
    public IscsiSessionOptions Session { get; init; } = new();

    /// <summary>
    /// Largest transfer one command carries when the target's Block Limits page sets no lower bound;
    /// larger reads and writes are split.
    /// </summary>
    public int MaxTransferBytes { get; init; } = 1 << 20;

    /// <summary>How many times a command that meets UNIT ATTENTION is retried before the condition is reported.</summary>
    public int UnitAttentionRetries { get; init; } = 3;
}
