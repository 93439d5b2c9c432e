namespace Storlane.Storage.Vhdx;

/// <summary>
/// The two headers and which one is current. Headers cannot go through the log, so an update
/// follows MS-VHDX 2.2.2.1: write the non-current copy with SequenceNumber + 1, flush, and then
/// ("SHOULD perform the update procedure a second time") the other copy too, so both are current.
/// </summary>
internal sealed class VhdxHeaderSet
{
    private readonly IVhdxFile _file;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _currentSlot;
    private bool _fileWriteGuidChanged;
    private bool _dataWriteGuidChanged;

    public VhdxHeaderSet(IVhdxFile file, VhdxHeader current, int currentSlot)
    {
        _file = file;
        Current = current;
        _currentSlot = currentSlot;
    }

    public VhdxHeader Current { get; private set; }

    /// <summary>
    /// "On every open ... the headers MUST be updated before any other part of the file is modified"
    /// with a new FileWriteGuid; DataWriteGuid changes "before the first modification is made to
    /// user-visible data". Cheap after the first call.
    /// </summary>
    public async ValueTask BeginModificationAsync(bool userVisible, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _fileWriteGuidChanged) && (!userVisible || Volatile.Read(ref _dataWriteGuidChanged)))
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_fileWriteGuidChanged && (!userVisible || _dataWriteGuidChanged))
            {
                return;
            }

            var next = Current with { FileWriteGuid = _fileWriteGuidChanged ? Current.FileWriteGuid : Guid.NewGuid() };
            if (userVisible && !_dataWriteGuidChanged)
            {
                next = next with { DataWriteGuid = Guid.NewGuid() };
            }

            await WriteBothAsync(next, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _fileWriteGuidChanged, true);
            Volatile.Write(ref _dataWriteGuidChanged, _dataWriteGuidChanged || userVisible);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SetLogGuidAsync(Guid logGuid, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Current.LogGuid != logGuid)
            {
                await WriteBothAsync(Current with { LogGuid = logGuid }, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask WriteBothAsync(VhdxHeader next, CancellationToken cancellationToken)
    {
        var block = new byte[VhdxFormat.HeaderSize];
        for (var pass = 0; pass < 2; pass++)
        {
            next = next with { SequenceNumber = Current.SequenceNumber + 1 };
            next.WriteTo(block);
            var slot = 1 - _currentSlot;
            await _file.WriteAsync(block, VhdxHeader.SlotOffset(slot), cancellationToken).ConfigureAwait(false);
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            Current = next;
            _currentSlot = slot;
        }
    }
}
