namespace Storlane.Storage.Vhdx;

public sealed partial class VhdxBlockDevice
{
    /// <summary>
    /// For a LUN backend: opens the VHDX, or creates a dynamic one when missing. An existing file
    /// must match the configured size and logical sector size, as a file LUN must.
    /// </summary>
    public static VhdxBlockDevice OpenOrCreate(string path, BlockGeometry geometry, bool readOnly = false)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            if (readOnly)
            {
                throw new FileNotFoundException($"read-only VHDX LUN '{fullPath}' does not exist", fullPath);
            }

            VhdxDiskCreator.CreateAsync(fullPath, new VhdxCreateOptions
            {
                Type = VhdxDiskType.Dynamic,
                VirtualSize = geometry.SizeInBytes,
                LogicalSectorSize = geometry.LogicalBlockSize,
                PhysicalSectorSize = geometry.PhysicalBlockSize,
            }).GetAwaiter().GetResult();
        }

        var device = Open(fullPath, readOnly);
        if (device.Geometry.SizeInBytes != geometry.SizeInBytes || device.Geometry.LogicalBlockSize != geometry.LogicalBlockSize)
        {
            device.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new InvalidDataException($"VHDX '{fullPath}' is {device.Geometry} but the LUN is configured as {geometry}");
        }

        return device;
    }

    /// <summary>
    /// An 8-byte NAA 3h ("locally assigned", SPC-4 7.8.6.6.3) designator for VPD page 83h derived
    /// from the VHDX Virtual Disk ID ("Page 83 Data"): the top nibble is 3, the other 60 bits are the
    /// first bits of the GUID, so the disk keeps its identity wherever it is served.
    /// </summary>
    public ulong NaaIdentifier
    {
        get
        {
            Span<byte> id = stackalloc byte[16];
            _metadata.VirtualDiskId.TryWriteBytes(id, bigEndian: true, out _);
            return (0x3UL << 60) | (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(id) >> 4);
        }
    }
}
