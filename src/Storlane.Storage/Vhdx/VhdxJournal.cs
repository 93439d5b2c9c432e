namespace Storlane.Storage.Vhdx;

/// <summary>
/// Writes metadata page updates through the log (MS-VHDX 2.3): "Write all metadata updates to the
/// log. Flush ... Apply the metadata updates to their final location ... Flush". Each commit is one
/// entry at the start of the log whose tail is itself. The entry only overwrites the previous one
/// after a flush has made that one's applied pages durable, so the active sequence is always the
/// newest entry and replaying it is idempotent. The flush that ends a commit is the one that starts
/// the next, which also makes new payload data durable before the BAT entry that points to it is
/// logged.
/// </summary>
internal sealed class VhdxJournal
{
    private readonly IVhdxFile _file;
    private readonly VhdxHeaderSet _headers;
    private readonly long _logOffset;
    private readonly int _maxPagesPerEntry;
    private ulong _sequence;
    private byte[] _entryBuffer = [];

    public VhdxJournal(IVhdxFile file, VhdxHeaderSet headers, ulong lastSequence)
    {
        _file = file;
        _headers = headers;
        _logOffset = (long)headers.Current.LogOffset;
        _maxPagesPerEntry = VhdxLogEntry.MaxPages(headers.Current.LogLength);
        _sequence = lastSequence;
    }

    /// <summary>Log entries written since open (each cost two flushes).</summary>
    public long EntriesWritten { get; private set; }

    public long PagesLogged { get; private set; }

    /// <summary>Commits <paramref name="pages"/>; the caller serializes commits. <paramref name="fileEnd"/> is where allocated structures end.</summary>
    public async ValueTask CommitAsync(IReadOnlyList<VhdxPageUpdate> pages, long fileEnd, CancellationToken cancellationToken)
    {
        if (_maxPagesPerEntry <= 0)
        {
            throw new InvalidDataException($"the VHDX log at {_logOffset} is too small ({_headers.Current.LogLength} bytes) for any entry");
        }

        // "Upon open, the implementation MUST update [LogGuid] to a new nonzero value before overwriting existing space within the log region."
        if (_headers.Current.LogGuid == Guid.Empty || EntriesWritten == 0)
        {
            await _headers.SetLogGuidAsync(Guid.NewGuid(), cancellationToken).ConfigureAwait(false);
        }

        for (var start = 0; start < pages.Count; start += _maxPagesPerEntry)
        {
            var count = Math.Min(_maxPagesPerEntry, pages.Count - start);
            var batch = start == 0 && count == pages.Count ? pages : Slice(pages, start, count);

            // Data and the previous entry's applied pages become durable before this entry replaces it.
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            var length = VhdxLogEntry.EntryLength(count);
            if (_entryBuffer.Length < length)
            {
                _entryBuffer = new byte[length];
            }

            var entry = _entryBuffer.AsMemory(0, length);
            var fileLength = _file.Length;
            VhdxLogEntry.Write(entry.Span, ++_sequence, 0, _headers.Current.LogGuid,
                VhdxFormat.RoundDownToMib(fileLength), VhdxFormat.RoundUpToMib(Math.Max(fileEnd, fileLength)), batch);
            await _file.WriteAsync(entry, _logOffset, cancellationToken).ConfigureAwait(false);
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            foreach (var page in batch)
            {
                await _file.WriteAsync(page.Data, page.FileOffset, cancellationToken).ConfigureAwait(false);
            }

            EntriesWritten++;
            PagesLogged += count;
        }
    }

    /// <summary>Clean close: applied pages flushed, then LogGuid zero ("the log is empty ... and MUST not be replayed").</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_headers.Current.LogGuid != Guid.Empty)
        {
            await _headers.SetLogGuidAsync(Guid.Empty, cancellationToken).ConfigureAwait(false);
        }
    }

    private static VhdxPageUpdate[] Slice(IReadOnlyList<VhdxPageUpdate> pages, int start, int count)
    {
        var slice = new VhdxPageUpdate[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = pages[start + i];
        }

        return slice;
    }
}
