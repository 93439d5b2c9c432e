using System.Buffers;
using System.Buffers.Binary;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Iscsi.Chap;
using Storlane.Scsi;

namespace Storlane.Initiator;

/// <summary>
/// One logical unit behind an iSCSI session, read and written by LBA:
/// <code>
/// await using var disk = await IscsiDisk.OpenAsync("iscsi://127.0.0.1/iqn.2026-11.io.storlane:default/0");
/// await disk.ReadAsync(0, buffer);
/// </code>
/// Geometry comes from READ CAPACITY(16) (10 when 16 is not supported), identity from VPD page 83h,
/// transfer limits from the Block Limits page (B0h). Failed commands throw
/// <see cref="ScsiCommandException"/>; a lost connection throws <see cref="IscsiTransportException"/>.
/// </summary>
public sealed class IscsiDisk : IAsyncDisposable
{
    private const int VpdAllocationLength = 4096;

    private readonly IscsiSession _session;
    private readonly bool _ownsSession;
    private readonly int _unitAttentionRetries;
    private int _maxTransferBlocks;
    private uint _maxUnmapBlocks;

    private IscsiDisk(IscsiSession session, ulong lun, bool ownsSession, IscsiDiskOptions options)
    {
        _session = session;
        Lun = lun;
        _ownsSession = ownsSession;
        _unitAttentionRetries = options.UnitAttentionRetries;
    }

    public IscsiSession Session => _session;

    public ulong Lun { get; }

    /// <summary>Logical block size in bytes (512 or 4096 on Storlane).</summary>
    public int BlockSize { get; private set; }

    /// <summary>Physical block size: logical size times 2^(LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT).</summary>
    public int PhysicalBlockSize { get; private set; }

    public long BlockCount { get; private set; }

    public long SizeBytes => BlockCount * BlockSize;

    /// <summary>Most blocks one UNMAP descriptor may carry (Block Limits MAXIMUM UNMAP LBA COUNT).</summary>
    public uint MaxUnmapBlocks => _maxUnmapBlocks;

    /// <summary>Largest number of blocks one READ or WRITE carries; larger I/O is split.</summary>
    public int MaxTransferBlocks => _maxTransferBlocks;

    /// <summary>The LU designator from VPD 83h (NAA preferred); multipath groups paths by it.</summary>
    public DeviceDesignator? Designator { get; private set; }

    /// <summary>Every descriptor of VPD 83h, including target port and port group designators.</summary>
    public IReadOnlyList<DeviceDesignator> Designators { get; private set; } = [];

    /// <summary>Opens the LU a URL names (<c>iscsi://[user[%secret]@]host[:port]/iqn/lun</c>).</summary>
    public static Task<IscsiDisk> OpenAsync(string url, IscsiDiskOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenAsync(IscsiUrl.Parse(url), options, cancellationToken);

    public static async Task<IscsiDisk> OpenAsync(IscsiUrl url, IscsiDiskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.TargetName is null || url.Lun is null)
        {
            throw new ArgumentException($"the URL '{url}' names no target and LUN (iscsi://host[:port]/iqn/lun)", nameof(url));
        }

        options ??= new IscsiDiskOptions();
        var sessionOptions = WithUrlCredentials(options.Session, url);
        var session = await IscsiSession.ConnectAsync(url.Host, url.Port, url.TargetName, sessionOptions, cancellationToken).ConfigureAwait(false);
        try
        {
            return await OpenAsync(session, (ulong)url.Lun.Value, ownsSession: true, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a LU on an existing session (several disks, or several paths, may share one).</summary>
    public static async Task<IscsiDisk> OpenAsync(IscsiSession session, ulong lun, bool ownsSession = false, IscsiDiskOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        options ??= new IscsiDiskOptions();
        var disk = new IscsiDisk(session, lun, ownsSession, options);
        await disk.InitializeAsync(options, cancellationToken).ConfigureAwait(false);
        return disk;
    }

    /// <summary>Reads <c>buffer.Length / BlockSize</c> blocks starting at <paramref name="lba"/>.</summary>
    public async ValueTask ReadAsync(long lba, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var blocks = CheckRange(lba, buffer.Length);
        while (blocks > 0)
        {
            var chunk = Math.Min(blocks, _maxTransferBlocks);
            var bytes = chunk * BlockSize;
            await ExecuteAsync(ScsiCdb.Read16((ulong)lba, (uint)chunk), buffer[..bytes], default, cancellationToken).ConfigureAwait(false);
            buffer = buffer[bytes..];
            lba += chunk;
            blocks -= chunk;
        }
    }

    /// <summary>Writes <c>data.Length / BlockSize</c> blocks at <paramref name="lba"/>; <paramref name="forceUnitAccess"/> writes through the target's cache.</summary>
    public async ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> data, bool forceUnitAccess = false, CancellationToken cancellationToken = default)
    {
        var blocks = CheckRange(lba, data.Length);
        while (blocks > 0)
        {
            var chunk = Math.Min(blocks, _maxTransferBlocks);
            var bytes = chunk * BlockSize;
            await ExecuteAsync(ScsiCdb.Write16((ulong)lba, (uint)chunk, forceUnitAccess), default, data[..bytes], cancellationToken).ConfigureAwait(false);
            data = data[bytes..];
            lba += chunk;
            blocks -= chunk;
        }
    }

    public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => WriteAsync(lba, data, false, cancellationToken);

    /// <summary>SYNCHRONIZE CACHE(16) over the whole LU.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        await ExecuteAsync(ScsiCdb.SynchronizeCache16(), default, default, cancellationToken).ConfigureAwait(false);

    /// <summary>UNMAP <paramref name="blocks"/> blocks from <paramref name="lba"/>, split by the target's MAXIMUM UNMAP LBA COUNT.</summary>
    public async ValueTask UnmapAsync(long lba, long blocks, CancellationToken cancellationToken = default)
    {
        if (lba < 0 || blocks < 0 || lba + blocks > BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(blocks), $"blocks {lba}..{lba + blocks} are outside the disk (0..{BlockCount})");
        }

        var list = new byte[24];
        while (blocks > 0)
        {
            var chunk = (uint)Math.Min(blocks, _maxUnmapBlocks);
            Cdbs.UnmapParameters(list, (ulong)lba, chunk);
            await ExecuteAsync(ScsiCdb.Unmap((ushort)list.Length), default, list, cancellationToken).ConfigureAwait(false);
            lba += chunk;
            blocks -= chunk;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsSession)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static IscsiSessionOptions WithUrlCredentials(IscsiSessionOptions options, IscsiUrl url)
    {
        if (url.User is null)
        {
            return options;
        }

        return new IscsiSessionOptions
        {
            InitiatorName = options.InitiatorName,
            InitiatorAlias = options.InitiatorAlias,
            Chap = new ChapCredential(url.User, url.Secret!),
            MutualChap = url.TargetUser is null ? options.MutualChap : new ChapCredential(url.TargetUser, url.TargetSecret!),
            Offer = options.Offer,
            Isid = options.Isid,
            ConnectTimeout = options.ConnectTimeout,
            LoginTimeout = options.LoginTimeout,
            KeepaliveInterval = options.KeepaliveInterval,
            KeepaliveTimeout = options.KeepaliveTimeout,
            MaxOutstandingTasks = options.MaxOutstandingTasks,
            LoggerFactory = options.LoggerFactory,
        };
    }

    private int CheckRange(long lba, int length)
    {
        if (length % BlockSize != 0)
        {
            throw new ArgumentException($"the buffer length {length} is not a multiple of the block size {BlockSize}");
        }

        var blocks = length / BlockSize;
        if (lba < 0 || lba + blocks > BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(lba), lba, $"blocks {lba}..{lba + blocks} are outside the disk (0..{BlockCount})");
        }

        return blocks;
    }

    /// <summary>
    /// Runs one command and throws unless it ends GOOD. UNIT ATTENTION (a power-on or reset
    /// condition the target reports once per initiator) is retried: the command did not run.
    /// </summary>
    private async ValueTask<ScsiCommandResult> ExecuteAsync(ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await _session.ExecuteAsync(Lun, cdb, dataIn, dataOut, cancellationToken).ConfigureAwait(false);
            if (result.IsUnitAttention && attempt < _unitAttentionRetries)
            {
                continue;
            }

            result.ThrowIfFailed();
            return result;
        }
    }

    private async Task InitializeAsync(IscsiDiskOptions options, CancellationToken cancellationToken)
    {
        // The first command usually meets the POWER ON/RESET unit attention; ExecuteAsync retries it.
        await ExecuteAsync(ScsiCdb.TestUnitReady(), default, default, cancellationToken).ConfigureAwait(false);
        await ReadCapacityAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(VpdAllocationLength);
        try
        {
            var supported = await InquiryVpdAsync(0x00, buffer, cancellationToken).ConfigureAwait(false);
            var pages = supported.Length >= 4 ? supported[4..].ToArray() : [];
            if (pages.Contains((byte)0x83))
            {
                var page = await InquiryVpdAsync(0x83, buffer, cancellationToken).ConfigureAwait(false);
                Designators = DeviceDesignator.ParsePage(page.Span);
                Designator = DeviceDesignator.PickLogicalUnit(Designators);
            }

            var maxTransferBytes = Math.Max(options.MaxTransferBytes, BlockSize);
            _maxTransferBlocks = Math.Max(1, maxTransferBytes / BlockSize);
            _maxUnmapBlocks = uint.MaxValue;
            if (pages.Contains((byte)0xB0))
            {
                ApplyBlockLimits((await InquiryVpdAsync(0xB0, buffer, cancellationToken).ConfigureAwait(false)).Span);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Block Limits VPD (SBC-3 6.6.4): MAXIMUM TRANSFER LENGTH (bytes 8-11, blocks, 0 = no limit)
    /// and MAXIMUM UNMAP LBA COUNT (bytes 20-23).
    /// </summary>
    private void ApplyBlockLimits(ReadOnlySpan<byte> page)
    {
        if (page.Length >= 12)
        {
            var maxTransfer = BinaryPrimitives.ReadUInt32BigEndian(page[8..]);
            if (maxTransfer != 0 && maxTransfer < (uint)_maxTransferBlocks)
            {
                _maxTransferBlocks = (int)maxTransfer;
            }
        }

        if (page.Length >= 24)
        {
            var maxUnmap = BinaryPrimitives.ReadUInt32BigEndian(page[20..]);
            if (maxUnmap != 0)
            {
                _maxUnmapBlocks = maxUnmap;
            }
        }
    }

    private async ValueTask<Memory<byte>> InquiryVpdAsync(byte page, byte[] buffer, CancellationToken cancellationToken)
    {
        var memory = buffer.AsMemory(0, VpdAllocationLength);
        var result = await ExecuteAsync(ScsiCdb.Inquiry(page, VpdAllocationLength), memory, default, cancellationToken).ConfigureAwait(false);
        var received = VpdAllocationLength - (result.Underflow ? result.ResidualCount : 0);
        var declared = received >= 4 ? 4 + BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)) : received;
        return memory[..Math.Min(received, declared)];
    }

    private async Task ReadCapacityAsync(CancellationToken cancellationToken)
    {
        var data = new byte[32];
        try
        {
            await ExecuteAsync(ScsiCdb.ReadCapacity16((uint)data.Length), data, default, cancellationToken).ConfigureAwait(false);

            // SBC-3 5.16.2: RETURNED LOGICAL BLOCK ADDRESS (8), LOGICAL BLOCK LENGTH (4), then the
            // LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT in the low nibble of byte 13.
            BlockCount = (long)BinaryPrimitives.ReadUInt64BigEndian(data) + 1;
            BlockSize = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8));
            PhysicalBlockSize = BlockSize << (data[13] & 0x0F);
        }
        catch (ScsiCommandException ex) when (ex.SenseKey == SenseKey.IllegalRequest)
        {
            // READ CAPACITY(16) is optional for small devices; (10) is mandatory (SBC-3 5.15).
            await ExecuteAsync(ScsiCdb.ReadCapacity10(), data.AsMemory(0, 8), default, cancellationToken).ConfigureAwait(false);
            BlockCount = (long)BinaryPrimitives.ReadUInt32BigEndian(data) + 1;
            BlockSize = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
            PhysicalBlockSize = BlockSize;
        }

        if (BlockSize is < 512 or > 65536 || (BlockSize & (BlockSize - 1)) != 0)
        {
            throw new IOException($"the LU reports a block size of {BlockSize} bytes");
        }
    }
}
