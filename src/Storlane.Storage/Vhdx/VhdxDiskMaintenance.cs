namespace Storlane.Storage.Vhdx;

/// <summary>
/// Offline operations on a VHDX file: resize and compact. Each opens the file for exclusive write
/// (replaying a pending log first), works through the log, and closes it cleanly.
/// </summary>
public static class VhdxDiskMaintenance
{
    /// <summary>Progress of resize and compact is reported in thousandths of the work.</summary>
    public const int ProgressScale = VhdxScaledProgress.Scale;

    /// <summary>
    /// Grows or shrinks the virtual size. A shrink that would drop non-zero data past the new end
    /// throws <see cref="VhdxShrinkRefusedException"/> and changes nothing unless
    /// <paramref name="allowShrink"/> is set. <paramref name="progress"/> reports, in thousandths, the
    /// reservation of a fixed disk's new blocks (nothing for other disks, whose growth is instant).
    /// </summary>
    public static async Task<VhdxResizeResult> ResizeAsync(string path, long newSize, bool allowShrink, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var device = await VhdxBlockDevice.OpenAsync(path, readOnly: false, cancellationToken).ConfigureAwait(false);
        await using (device.ConfigureAwait(false))
        {
            return await device.ResizeCoreAsync(newSize, allowShrink, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases all-zero blocks, packs the rest toward the start and shortens the file; progress in thousandths (<see cref="ProgressScale"/>).</summary>
    public static async Task<VhdxCompactResult> CompactAsync(string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var device = await VhdxBlockDevice.OpenAsync(path, readOnly: false, cancellationToken).ConfigureAwait(false);
        await using (device.ConfigureAwait(false))
        {
            return await device.CompactCoreAsync(progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The same over any file layer (the crash harness cuts its writes).</summary>
    internal static async Task<VhdxResizeResult> ResizeAsync(IVhdxFile file, IBlockDevice? parent, long newSize, bool allowShrink, CancellationToken cancellationToken = default)
    {
        var device = await VhdxBlockDevice.OpenAsync(file, "resize.vhdx", parent, cancellationToken).ConfigureAwait(false);
        await using (device.ConfigureAwait(false))
        {
            return await device.ResizeCoreAsync(newSize, allowShrink, null, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async Task<VhdxCompactResult> CompactAsync(IVhdxFile file, IBlockDevice? parent, CancellationToken cancellationToken = default)
    {
        var device = await VhdxBlockDevice.OpenAsync(file, "compact.vhdx", parent, cancellationToken).ConfigureAwait(false);
        await using (device.ConfigureAwait(false))
        {
            return await device.CompactCoreAsync(null, cancellationToken).ConfigureAwait(false);
        }
    }
}
