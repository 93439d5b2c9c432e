using System.Buffers;
using System.Security.Cryptography;

namespace Storlane.Storage.Encryption;

/// <summary>
/// Stores every logical block encrypted with XTS-AES-256 (the data unit is the logical block, its
/// number the LBA), so SANITIZE CRYPTOGRAPHIC ERASE can destroy the data by replacing the key.
/// A block whose stored bytes are all zero was never written or was unmapped: it reads as zeros
/// (a real ciphertext is all zero with probability 2^-4096), which keeps LBPRZ and GET LBA STATUS
/// true through the encryption.
/// </summary>
public sealed class EncryptedBlockDevice : IResizableBlockDevice, IAllocationQuery, ICryptoErasable
{
    private readonly IBlockDevice _inner;
    private readonly ILunKeyStore _keys;
    private readonly Lock _eraseLock = new();
    private volatile XtsAes _cipher;

    public EncryptedBlockDevice(IBlockDevice inner, ILunKeyStore keys)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(keys);
        _inner = inner;
        _keys = keys;
        _cipher = CreateCipher(keys.LoadOrCreate());
    }

    public IBlockDevice Inner => _inner;

    public BlockGeometry Geometry => _inner.Geometry;

    public BlockDeviceFeatures Features => _inner.Features;

    public async ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        await _inner.ReadAsync(lba, destination, cancellationToken).ConfigureAwait(false);
        var cipher = _cipher;
        var blockSize = Geometry.LogicalBlockSize;
        var span = destination.Span;
        for (var offset = 0; offset < span.Length; offset += blockSize)
        {
            var block = span.Slice(offset, blockSize);
            if (block.ContainsAnyExcept((byte)0))
            {
                cipher.Decrypt(block, block, (ulong)(lba + (offset / blockSize)));
            }
        }
    }

    public async ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(source.Length);
        try
        {
            Encrypt(lba, source.Span, buffer);
            await _inner.WriteAsync(lba, buffer.AsMemory(0, source.Length), options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Encrypt(long lba, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var cipher = _cipher;
        var blockSize = Geometry.LogicalBlockSize;
        for (var offset = 0; offset < source.Length; offset += blockSize)
        {
            cipher.Encrypt(source.Slice(offset, blockSize), destination.Slice(offset, blockSize), (ulong)(lba + (offset / blockSize)));
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default) => _inner.UnmapAsync(lba, blockCount, cancellationToken);

    /// <summary>The backend's allocation; a backend that cannot tell reports everything mapped.</summary>
    public ValueTask<AllocationRun> QueryAllocationAsync(long lba, long maxBlocks, CancellationToken cancellationToken = default) =>
        _inner is IAllocationQuery query
            ? query.QueryAllocationAsync(lba, maxBlocks, cancellationToken)
            : new ValueTask<AllocationRun>(new AllocationRun(lba, Math.Min(maxBlocks, Geometry.BlockCount - lba), true));

    public ValueTask GrowAsync(long newBlockCount, CancellationToken cancellationToken = default) =>
        _inner is IResizableBlockDevice resizable
            ? resizable.GrowAsync(newBlockCount, cancellationToken)
            : throw new InvalidOperationException("the backend under the encryption cannot grow");

    /// <summary>
    /// A new random key is stored durably first, then used: after a crash the old key is gone either
    /// way. Callers keep I/O away meanwhile (SANITIZE holds every writer out and answers other
    /// commands SANITIZE IN PROGRESS), so no write is encrypted under the old key afterwards.
    /// </summary>
    public ValueTask CryptoEraseAsync(CancellationToken cancellationToken = default)
    {
        var key = RandomNumberGenerator.GetBytes(ILunKeyStore.KeyBytes);
        lock (_eraseLock)
        {
            _keys.Replace(key);
            _cipher = CreateCipher(key);
        }

        CryptographicOperations.ZeroMemory(key);
        return ValueTask.CompletedTask;
    }

    private static XtsAes CreateCipher(byte[] key) => new(key.AsSpan(0, 32), key.AsSpan(32, 32));

    public ValueTask DisposeAsync()
    {
        _cipher.Dispose();
        return _inner.DisposeAsync();
    }
}
