using System.Buffers;
using System.Buffers.Binary;
using Storlane.Initiator.Scsi;
using Storlane.Initiator.Session;
using Storlane.Iscsi.Chap;
using Storlane.Protocol.Scsi;

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
public sealed class IscsiDisk : BlockDisk
{
    private const int VpdAllocationLength = 4096;

    private readonly IscsiSession _session;
    private readonly bool _ownsSession;
    private readonly int _unitAttentionRetries;

    private IscsiDisk(IscsiSession session, ulong lun, bool ownsSession, IscsiDiskOptions options)
    {
        _session = session;
        Lun = lun;
        _ownsSession = ownsSession;
        _unitAttentionRetries = options.UnitAttentionRetries;
    }

    public IscsiSession Session => _session;

    public ulong Lun { get; }


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

    public override async ValueTask DisposeAsync()
    {
        if (_ownsSession)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The session options with the URL's settings applied: its CHAP credentials and its local_address.</summary>
    internal static IscsiSessionOptions WithUrlCredentials(IscsiSessionOptions options, IscsiUrl url)
    {
        if (url.User is null && url.LocalAddress is null)
        {
            return options;
        }

        return options.With(
            chap: url.User is null ? null : new ChapCredential(url.User, url.Secret!),
            mutualChap: url.TargetUser is null ? null : new ChapCredential(url.TargetUser, url.TargetSecret!),
            localAddress: url.LocalAddress);
    }

    /// <summary>
    /// Runs one command and throws unless it ends GOOD. UNIT ATTENTION (a power-on or reset
    /// condition the target reports once per initiator) is retried: the command did not run.
    /// </summary>
    protected override async ValueTask RunCommandAsync(ScsiCdb cdb, Memory<byte> dataIn, ReadOnlyMemory<byte> dataOut, CancellationToken cancellationToken) =>
        await ExecuteAsync(cdb, dataIn, dataOut, cancellationToken).ConfigureAwait(false);

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
            MaxTransferBlocks = Math.Max(1, maxTransferBytes / BlockSize);
            MaxUnmapBlocks = uint.MaxValue;
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
            if (maxTransfer != 0 && maxTransfer < (uint)MaxTransferBlocks)
            {
                MaxTransferBlocks = (int)maxTransfer;
            }
        }

        if (page.Length >= 24)
        {
            var maxUnmap = BinaryPrimitives.ReadUInt32BigEndian(page[20..]);
            if (maxUnmap != 0)
            {
                MaxUnmapBlocks = maxUnmap;
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
