namespace Storlane.Scsi;

/// <summary>
/// Where one logical unit's reservation state lives: in this process (<see cref="LocalLuSharedState"/>,
/// the single-target default) or in a store several gateways share (one RADOS object per LU). The SCSI
/// layer owns the meaning of the bytes; the store only keeps them, versions them and compares-and-swaps
/// them, so one persistent reservation engine serves every backend. Every PERSISTENT RESERVE OUT,
/// RESERVE and RELEASE is: read the current image (cached, refreshed on change), compute the new one,
/// <see cref="TryReplaceAsync"/> against the version it was computed from; on a conflict reload and
/// compute again.
/// </summary>
public interface ILuSharedState
{
    /// <summary>Whether state survives a restart, and whether the application client chooses (APTPL).</summary>
    SharedStatePersistence Persistence { get; }

    /// <summary>
    /// True when other gateways read and write the same state: changes must carry the unit attentions
    /// they raise for initiators on those gateways, and PERSISTENT RESERVE IN reloads before it answers.
    /// </summary>
    bool IsShared { get; }

    /// <summary>The current image (empty content and version 0 when nothing was ever stored).</summary>
    /// <exception cref="SharedStateUnavailableException">The store cannot be reached.</exception>
    ValueTask<SharedStateImage> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> if the stored version is still <paramref name="expectedVersion"/>
    /// and returns the new version; null when another writer got there first (nothing changed).
    /// <paramref name="durable"/> asks that it survive a restart (APTPL = 1 for an
    /// <see cref="SharedStatePersistence.OnRequest"/> store; an <see cref="SharedStatePersistence.Always"/> store keeps everything).
    /// </summary>
    /// <exception cref="SharedStateUnavailableException">The store cannot be reached; whether the write landed is unknown.</exception>
    ValueTask<ulong?> TryReplaceAsync(ulong expectedVersion, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken);

    /// <summary>
    /// Registers the one listener told of changes made by other writers and of the store becoming
    /// unreachable or reachable again. A store calls <see cref="ISharedStateListener.Changed"/> before
    /// it acknowledges the change to its writer, so the writer's command completes only after this
    /// gateway has the new state (and the unit attentions it raises).
    /// </summary>
    void Subscribe(ISharedStateListener listener);
}

/// <summary>What a shared state store tells the reservation engine it serves.</summary>
public interface ISharedStateListener
{
    /// <summary>Another writer stored <paramref name="image"/> (a newer version than this gateway wrote or read).</summary>
    void Changed(SharedStateImage image);

    /// <summary>
    /// False: the store cannot vouch that the cached image is current (the cluster is unreachable, the
    /// watch was lost), so the unit must not be served from it. True: reachable again; reload.
    /// </summary>
    void AvailabilityChanged(bool available);
}

/// <summary>A stored state and its version (a store-wide counter: higher is newer).</summary>
public readonly record struct SharedStateImage(ulong Version, ReadOnlyMemory<byte> Content);

/// <summary>PTPL_C / PTPL_A of REPORT CAPABILITIES (SPC-4 6.15.4) follow from this.</summary>
public enum SharedStatePersistence
{
    /// <summary>Memory only: PTPL_C = 0, and APTPL = 1 is refused.</summary>
    None,

    /// <summary>Kept across a restart when the application client set APTPL = 1 (SPC-4 5.12.5).</summary>
    OnRequest,

    /// <summary>Always kept (a cluster object): PTPL_C = 1 and PTPL_A = 1 whatever APTPL said.</summary>
    Always,
}

/// <summary>The store cannot be reached: the unit answers NOT READY instead of from state it cannot check.</summary>
public sealed class SharedStateUnavailableException : Exception
{
    public SharedStateUnavailableException()
    {
    }

    public SharedStateUnavailableException(string message)
        : base(message)
    {
    }

    public SharedStateUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
