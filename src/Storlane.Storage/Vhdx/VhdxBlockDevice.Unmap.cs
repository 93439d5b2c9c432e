namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>
    /// Whole blocks of a dynamic disk become PAYLOAD_BLOCK_UNMAPPED ("all the virtual disk sectors in
    /// the payload block were issued an UNMAP command"); a differencing disk uses PAYLOAD_BLOCK_ZERO
    /// so the parent does not show through. Partial blocks, and every block of a fixed disk (whose
    /// blocks may not change state: LeaveBlockAllocated), are zeroed in place. Reads return zeros
    /// afterwards either way (LBPRZ).
    /// </summary>
    public async ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default)
    {
        BlockDeviceGuard.CheckBlocks(Geometry, lba, blockCount);
        ThrowIfReadOnly();
        if (blockCount == 0)
        {
            return;
        }

        await BeginUserModificationAsync(cancellationToken).ConfigureAwait(false);
        var offset = lba << _sectorShift;
        var remaining = blockCount << _sectorShift;
        while (remaining > 0)
        {
            var block = offset >> _blockShift;
            var within = (int)(offset & (_metadata.BlockSize - 1));
            var length = (int)Math.Min(remaining, _metadata.BlockSize - within);
            var wholeBlock = within == 0 && length == _metadata.BlockSize;
            if (!wholeBlock || DiskType == VhdxDiskType.Fixed || !await TryDeallocateAsync(block).ConfigureAwait(false))
            {
                await ZeroInBlockAsync(block, within, length, cancellationToken).ConfigureAwait(false);
            }

            offset += length;
            remaining -= length;
        }
    }

    private async ValueTask<bool> TryDeallocateAsync(long block)
    {
        while (true)
        {
            Task? pending;
            lock (_allocationLock)
            {
                if (!_pendingAllocations.TryGetValue(block, out pending))
                {
                    var state = _parent is null ? VhdxBlockState.Unmapped : VhdxBlockState.Zero;
                    lock (_metadataLock)
                    {
                        SetEntryLocked(_layout.PayloadIndex(block), VhdxBatEntry.Make((int)state, 0));
                    }

                    return true;
                }
            }

            await pending.ConfigureAwait(false);
        }
    }

    private async ValueTask ZeroInBlockAsync(long block, int within, int length, CancellationToken cancellationToken)
    {
        var state = (VhdxBlockState)VhdxBatEntry.State(PayloadEntry(block));
        var readsZeros = state is VhdxBlockState.Zero or VhdxBlockState.Unmapped or VhdxBlockState.Undefined
            || (state == VhdxBlockState.NotPresent && _parent is null);
        if (readsZeros)
        {
            return;
        }

        while (length > 0)
        {
            var chunk = Math.Min(length, ZeroBuffer.Length);
            await WriteInBlockAsync(block, within, ZeroBuffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
            within += chunk;
            length -= chunk;
        }
    }
}
