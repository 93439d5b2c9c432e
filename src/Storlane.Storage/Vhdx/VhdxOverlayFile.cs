namespace Storlane.Storage.Vhdx;

/// <summary>
/// A read-only view of a file with a replayed log laid over it in memory: "If ... the file is
/// opened in read-only mode, the implementation cannot allow reads from the virtual disk without
/// replaying the log in memory" (MS-VHDX 5, note 5).
/// </summary>
internal sealed class VhdxOverlayFile : IVhdxFile
{
    private readonly IVhdxFile _inner;
    private readonly List<(long Offset, byte[] Data)> _patches;
    private readonly long _length;
    private readonly bool _disposeInner;

    public VhdxOverlayFile(IVhdxFile inner, VhdxLogReplay replay, bool disposeInner = true)
    {
        _inner = inner;
        _disposeInner = disposeInner;
        _patches = [];
        var length = inner.Length;
        foreach (var write in replay.Writes)
        {
            _patches.Add((write.FileOffset, write.Data ?? new byte[write.Length]));
            length = Math.Max(length, write.FileOffset + write.Length);
        }

        _length = Math.Max(length, replay.LastFileOffset);
    }

    public bool CanWrite => false;

    public long Length => _length;

    public async ValueTask ReadAsync(Memory<byte> destination, long offset, CancellationToken cancellationToken = default)
    {
        await _inner.ReadAsync(destination, offset, cancellationToken).ConfigureAwait(false);

        // Later entries win: apply patches in log order.
        var end = offset + destination.Length;
        foreach (var (patchOffset, data) in _patches)
        {
            var from = Math.Max(offset, patchOffset);
            var to = Math.Min(end, patchOffset + data.Length);
            if (from < to)
            {
                data.AsSpan((int)(from - patchOffset), (int)(to - from)).CopyTo(destination.Span[(int)(from - offset)..]);
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> source, long offset, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("the VHDX is open read-only");

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public void SetLength(long length) => throw new InvalidOperationException("the VHDX is open read-only");

    public ValueTask AllocateAsync(long offset, long length, IProgress<long>? progress, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("the VHDX is open read-only");

    public void Dispose()
    {
        if (_disposeInner)
        {
            _inner.Dispose();
        }
    }
}
