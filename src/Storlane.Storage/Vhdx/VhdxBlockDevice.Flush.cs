using System.Runtime.InteropServices;

namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>
    /// Makes every write completed before the call durable. Group commit: callers queue on one gate;
    /// whoever holds it commits every change made so far, and callers whose request that commit
    /// already covered return without flushing again.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!_modified)
        {
            return;
        }

        var ticket = Interlocked.Increment(ref _flushesRequested);
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _flushesCompleted) >= ticket)
            {
                return;
            }

            var covered = Volatile.Read(ref _flushesRequested);
            await CommitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _flushesCompleted, covered);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Snapshot the dirty pages first, then flush: a write that completes later is not in this entry, so its data need not be durable yet.</summary>
    private async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        var pages = SnapshotDirtyPages(out var batPages, out var bitmapPages);
        if (pages.Count == 0)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            long fileEnd;
            lock (_allocationLock)
            {
                // The journal's first flush makes the new length durable before the entry.
                fileEnd = ExtendFileLocked();
            }

            await _journal.CommitAsync(pages, fileEnd, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not committed: the next flush must log these pages again.
            lock (_metadataLock)
            {
                _dirtyBatPages.UnionWith(batPages);
                _dirtyBitmapPages.UnionWith(bitmapPages);
            }

            throw;
        }
    }

    private List<VhdxPageUpdate> SnapshotDirtyPages(out long[] batPages, out (long Chunk, int Page)[] bitmapPages)
    {
        lock (_metadataLock)
        {
            batPages = [.. _dirtyBatPages];
            bitmapPages = [.. _dirtyBitmapPages];
            _dirtyBatPages.Clear();
            _dirtyBitmapPages.Clear();
            var pages = new List<VhdxPageUpdate>(batPages.Length + bitmapPages.Length);
            var batBytes = MemoryMarshal.AsBytes(_bat.AsSpan());
            foreach (var page in batPages)
            {
                var copy = batBytes.Slice((int)(page * VhdxFormat.LogSectorSize), VhdxFormat.LogSectorSize).ToArray();
                pages.Add(new VhdxPageUpdate(_batOffset + (page * VhdxFormat.LogSectorSize), copy));
            }

            foreach (var (chunk, page) in bitmapPages)
            {
                var bitmapOffset = VhdxBatEntry.FileOffset(_bat[_layout.SectorBitmapIndex(chunk)]);
                var copy = _bitmaps[chunk].AsSpan(page * VhdxFormat.LogSectorSize, VhdxFormat.LogSectorSize).ToArray();
                pages.Add(new VhdxPageUpdate(bitmapOffset + ((long)page * VhdxFormat.LogSectorSize), copy));
            }

            pages.Sort((a, b) => a.FileOffset.CompareTo(b.FileOffset));
            return pages;
        }
    }
}
