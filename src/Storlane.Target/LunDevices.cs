using Storlane.Ceph.Devices;
using Storlane.Scsi;
using Storlane.Storage;
using Storlane.Storage.Encryption;
using Storlane.Storage.Vhdx;

namespace Storlane.Target;

/// <summary>
/// LUN composition, apart from serving: a LUN's options become a block device (memory, file, VHDX or
/// rbd, encrypted or not) and the logical unit options that device implies (identity, where
/// reservations and SANITIZE progress are kept). Used at start and for LUNs added while serving.
/// </summary>
internal static class LunDevices
{
    /// <summary>What a LUN serves, for the log: "memory", "rbd POOL/IMAGE", "file PATH" (and whether encrypted).</summary>
    public static string Describe(LunOptions lun) =>
        (lun.Backend switch { LunBackend.Memory => "memory", LunBackend.Rbd => $"rbd {lun.Rbd}", _ => $"{lun.Backend.ToString().ToLowerInvariant()} {lun.Path}" }) + (lun.Encrypted ? ", encrypted (XTS-AES-256)" : "");

    public static LogicalUnitOptions UnitOptions(LunOptions lun, IBlockDevice block, ILuSharedState? clusterState) => new()
    {
        // An rbd LU's reservations live in the cluster, shared by every gateway that serves the image.
        SharedState = clusterState,

        Serial = lun.Serial,
        ReadOnly = lun.ReadOnly,
        Removable = lun.Removable,
        SanitizeBytesPerSecond = lun.SanitizeBytesPerSecond,

        // A VHDX carries its own SCSI identity ("Page 83 Data", MS-VHDX 2.6.2.6), so the
        // disk keeps its designator wherever it is served.
        NaaIdentifier = (block is EncryptedBlockDevice encrypted ? encrypted.Inner : block) is VhdxBlockDevice vhdx ? vhdx.NaaIdentifier : null,

        // An RBD image is one LU whichever gateway serves it: VPD 83h comes from the image's
        // cluster, pool and id, so every gateway reports the same designator (and serial).
        IdentitySource = block is RbdBlockDevice rbd ? rbd.Image.IdentityKey : null,

        // APTPL reservations live beside the image so they survive a restart (SPC-4 5.12.4).
        ReservationStatePath = lun.Backend is LunBackend.Memory or LunBackend.Rbd ? null : Path.GetFullPath(lun.Path!) + ".pr",

        // A SANITIZE interrupted by a stop or crash resumes at the next start (SBC-3 4.11.1).
        SanitizeStatePath = lun.Backend is LunBackend.Memory or LunBackend.Rbd ? null : Path.GetFullPath(lun.Path!) + ".sanitize",
    };

    /// <summary>
    /// The LUN's device: the one the options carry (tests, benchmarks), or its backend opened (or created)
    /// from the config, wrapped for encryption when asked. Errors become <see cref="TargetStartException"/>
    /// naming the target and LUN.
    /// </summary>
    /// <param name="openRbd">Opens an rbd LUN: the server keeps each image's cluster state beside its device.</param>
    public static IBlockDevice Open(TargetOptions target, LunOptions lun, Func<TargetOptions, LunOptions, IBlockDevice> openRbd)
    {
        if (lun.Device is { } device)
        {
            return device;
        }

        try
        {
            CheckKeyFile(target, lun);
            var backend = OpenBackend(target, lun, openRbd);
            if (!lun.Encrypted)
            {
                return backend;
            }

            ILunKeyStore keys = lun.Backend == LunBackend.Memory ? new MemoryKeyStore() : new FileKeyStore(FileKeyStore.ForImage(lun.Path!));
            try
            {
                return new EncryptedBlockDevice(backend, keys);
            }
            catch
            {
                backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            throw new TargetStartException($"{target.Name} LUN {lun.Lun}: {ex.Message}", ex);
        }
    }

    private static IBlockDevice OpenBackend(TargetOptions target, LunOptions lun, Func<TargetOptions, LunOptions, IBlockDevice> openRbd)
    {
        if (lun.Backend == LunBackend.Rbd)
        {
            // The image has its own size; 'size' is not used.
            return openRbd(target, lun);
        }

        var geometry = lun.Geometry;
        return lun.Backend switch
        {
            LunBackend.Memory => new MemoryBlockDevice(geometry, lun.ReadOnly ? BlockDeviceFeatures.Unmap | BlockDeviceFeatures.ReadOnly : BlockDeviceFeatures.Unmap),
            LunBackend.Vhdx => VhdxBlockDevice.OpenOrCreate(lun.Path ?? throw new TargetStartException($"{target.Name} LUN {lun.Lun}: the vhdx backend needs a path"), geometry, lun.ReadOnly),
            _ => FileBlockDevice.OpenOrCreate(lun.Path ?? throw new TargetStartException($"{target.Name} LUN {lun.Lun}: the file backend needs a path"), geometry, lun.ReadOnly),
        };
    }

    /// <summary>
    /// An image and its key belong together: serving existing data encrypted under a fresh key, or
    /// ciphertext as if it were plain, would both hand initiators noise, so both are refused.
    /// </summary>
    private static void CheckKeyFile(TargetOptions target, LunOptions lun)
    {
        if (lun.Backend is LunBackend.Memory or LunBackend.Rbd || lun.Path is null)
        {
            return;
        }

        var keyPath = FileKeyStore.ForImage(lun.Path);
        var hasKey = File.Exists(keyPath);
        if (lun.Encrypted && !hasKey && File.Exists(lun.Path) && new FileInfo(lun.Path).Length > 0)
        {
            throw new TargetStartException($"{target.Name} LUN {lun.Lun}: '{lun.Path}' exists but its key file '{keyPath}' does not; encrypting existing data under a new key would turn it into noise (remove 'encrypted' or restore the key file)");
        }

        if (!lun.Encrypted && hasKey)
        {
            throw new TargetStartException($"{target.Name} LUN {lun.Lun}: '{lun.Path}' has a key file '{keyPath}', so it holds encrypted data; set 'encrypted: true' to serve it");
        }
    }
}
