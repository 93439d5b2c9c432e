namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>
    /// Mapped runs from the BAT: fully and partially present blocks are mapped; not present, zero,
    /// unmapped and undefined blocks are deallocated, except that a differencing disk's not-present
    /// blocks defer to the parent.
    /// </summary>
    public async ValueTask<AllocationRun> QueryAllocationAsync(long lba, long maxBlocks, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckBlocks(Geometry, lba, Math.Min(maxBlocks, Geometry.BlockCount - lba));
        maxBlocks = Math.Min(maxBlocks, Geometry.BlockCount - lba);
        var sectorsPerBlock = (long)_metadata.BlockSize >> _sectorShift;
        var block = (lba << _sectorShift) >> _blockShift;
        var firstState = VhdxBatEntry.State(PayloadEntry(block));
        var toBlockEnd = ((block + 1) * sectorsPerBlock) - lba;
        if (firstState == (int)VhdxBlockState.NotPresent && _parent is IAllocationQuery parentQuery && lba < _parent.Geometry.BlockCount)
        {
            var limit = Math.Min(Math.Min(maxBlocks, toBlockEnd), _parent.Geometry.BlockCount - lba);
            return await parentQuery.QueryAllocationAsync(lba, limit, cancellationToken).ConfigureAwait(false);
        }

        var mapped = VhdxBatEntry.IsAllocated(firstState) || (firstState == (int)VhdxBlockState.NotPresent && _parent is not null);
        var count = Math.Min(maxBlocks, toBlockEnd);
        while (count < maxBlocks)
        {
            var state = VhdxBatEntry.State(PayloadEntry(++block));
            var deferToParent = state == (int)VhdxBlockState.NotPresent && _parent is not null;
            if (deferToParent || VhdxBatEntry.IsAllocated(state) != mapped)
            {
                break;
            }

            count = Math.Min(maxBlocks, count + sectorsPerBlock);
        }

        return new AllocationRun(lba, count, mapped);
    }
}
