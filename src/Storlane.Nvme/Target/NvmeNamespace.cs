using System.Buffers.Binary;
using System.Security.Cryptography;
using Storlane.Scsi;
using Storlane.Storage;

namespace Storlane.Nvme.Target;

/// <summary>
/// One logical unit served as a namespace: NSID = LUN + 1 (NSID 0 is not a namespace), the same
/// <see cref="IBlockDevice"/> the iSCSI side uses, and identifiers that name the same LU as the SCSI
/// Device Identification VPD page: the EUI-64 is the 8 bytes of the NAA designator, the NGUID starts
/// with them, and the UUID is derived from them (RFC 9562 version 8).
/// </summary>
internal sealed class NvmeNamespace
{
    public NvmeNamespace(LogicalUnit unit)
    {
        Unit = unit;
        Nsid = (uint)unit.Lun + 1;
        var geometry = unit.Device.Geometry;
        BlockSize = geometry.LogicalBlockSize;
        BlockShift = System.Numerics.BitOperations.Log2((uint)BlockSize);
        PhysicalBlockSize = geometry.PhysicalBlockSize;
        SupportsUnmap = unit.SupportsUnmap;
        (Eui64, Nguid, Uuid) = Identifiers(unit.NaaIdentifier);
    }

    public LogicalUnit Unit { get; }

    public IBlockDevice Device => Unit.Device;

    public uint Nsid { get; }

    public int BlockSize { get; }

    public int BlockShift { get; }

    public int PhysicalBlockSize { get; }

    public bool SupportsUnmap { get; }

    /// <summary>Capacity now (a LUN grown live grows the namespace).</summary>
    public long BlockCount => Unit.CapacityBytes >> BlockShift;

    public bool IsWriteProtected => Unit.IsWriteProtected;

    public byte[] Eui64 { get; }

    public byte[] Nguid { get; }

    public byte[] Uuid { get; }

    public NamespaceIdentity Identity() => new()
    {
        BlockCount = BlockCount,
        LogicalBlockSize = BlockSize,
        PhysicalBlockSize = PhysicalBlockSize,
        ThinProvisioned = SupportsUnmap,
        ReadOnly = IsWriteProtected,
        AnaGroupId = Nsid,
        PersistThroughPowerLoss = Unit.PersistentReservations.CanPersist,
        Eui64 = Eui64,
        Nguid = Nguid,
        Uuid = Uuid,
    };

    /// <summary>True when [lba, lba + blocks) lies inside the namespace ("LBA Out of Range" otherwise, NVM command set 1.0, 3.3.3).</summary>
    public bool Contains(ulong lba, ulong blocks)
    {
        var capacity = (ulong)BlockCount;
        return blocks <= capacity && lba <= capacity - blocks;
    }

    internal static (byte[] Eui64, byte[] Nguid, byte[] Uuid) Identifiers(ulong naa)
    {
        var eui = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(eui, naa);
        var nguid = new byte[16];
        eui.CopyTo(nguid, 0);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(nguid.AsSpan(0, 8), hash);
        hash[..8].CopyTo(nguid.AsSpan(8));
        var uuid = hash[8..24].ToArray();
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // variant 10b
        return (eui, nguid, uuid);
    }
}
