namespace Storlane.Storage;

/// <summary>
/// A device that can grow while it serves, so an administrator can enlarge a LUN without a
/// restart; initiators learn of it through CAPACITY DATA HAS CHANGED. Never shrinks: that would
/// drop data an initiator may still address.
/// </summary>
public interface IResizableBlockDevice : IBlockDevice
{
    /// <summary>Grows to <paramref name="newBlockCount"/> blocks; the new blocks read as zeros.</summary>
    ValueTask GrowAsync(long newBlockCount, CancellationToken cancellationToken = default);
}
