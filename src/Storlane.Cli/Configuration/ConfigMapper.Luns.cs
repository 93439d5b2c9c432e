using Storlane.Storage;
using Storlane.Target;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

internal sealed partial class ConfigMapper
{
    /// <summary>SAM-5 flat space addressing covers LUNs 0..16383.</summary>
    private const int MaxLun = 16383;

    private const int MaxSerialLength = 255;

    private void MapLuns(YamlSection targetSection, TargetOptions target, string targetName)
    {
        var items = targetSection.Sequence("luns");
        RequireItems(targetSection, "luns", items);
        var seen = new Dictionary<ulong, YamlNode>();
        foreach (var item in items)
        {
            if (item is not YamlMappingNode mapping)
            {
                _errors.Add(item, $"a LUN must be a mapping with 'lun', 'size' and more, not {YamlSection.Describe(item)}");
                continue;
            }

            var section = new YamlSection(mapping, _errors, ConfigKeys.Lun);
            var number = section.Integer("lun", 0, MaxLun);
            if (section.Value("lun") is null)
            {
                section.Missing("lun");
            }
            else if (number is { } n && !seen.TryAdd((ulong)n, section.Value("lun")!))
            {
                _errors.Add(section.Value("lun")!, $"duplicate LUN {n} in target '{targetName}' (first at line {seen[(ulong)n].Start.Line})");
            }

            if (MapLun(section, number) is { } lun)
            {
                target.Luns.Add(lun);
            }
        }
    }

    private LunOptions? MapLun(YamlSection section, long? lun)
    {

        var backend = MapBackend(section);
        var size = section.Size("size");
        if (backend == LunBackend.Rbd)
        {
            if (section.Value("size") is not null)
            {
                _errors.Add(section.Value("size")!, "'size' is not for the rbd backend: the LUN is as big as the image (use 'create-size' to create a missing image, `rbd resize` to grow it)");
            }

            size = 0;
        }
        else if (section.Value("size") is null)
        {
            section.Missing("size");
        }

        var logical = BlockSize(section, "logical-block-size") ?? 512;
        var physical = BlockSize(section, "physical-block-size") ?? logical;
        if (physical < logical)
        {
            _errors.Add(section.Value("physical-block-size")!, $"'physical-block-size' ({physical}) cannot be smaller than 'logical-block-size' ({logical})");
        }

        if (size is { } bytes && bytes != 0 && bytes % logical != 0)
        {
            _errors.Add(section.Value("size")!, $"size {bytes} bytes is not a multiple of the logical block size ({logical})");
            size = null;
        }

        var path = MapPath(section, backend);
        var readOnly = section.Boolean("read-only") ?? false;
        var removable = section.Boolean("removable") ?? false;
        var encrypted = section.Boolean("encrypted") ?? false;
        var sanitizeRate = section.Rate("sanitize-rate") ?? 0;
        var serial = MapSerial(section);
        var offline = section.Boolean("offline") ?? false;
        var rbd = MapRbd(section, backend, logical);
        if (backend == LunBackend.Rbd && encrypted)
        {
            _errors.Add(section.Value("encrypted")!, "'encrypted' is not available for the rbd backend (its key would live on one gateway); use Ceph's own encryption (rbd encryption format)");
        }

        if (lun is null || backend is null || size is null || (backend is LunBackend.File or LunBackend.Vhdx && path is null) || (backend == LunBackend.Rbd && rbd is null))
        {
            return null;
        }

        return new LunOptions
        {
            Lun = (ulong)lun.Value,
            Backend = backend.Value,
            Path = path,
            SizeBytes = size.Value,
            LogicalBlockSize = logical,
            PhysicalBlockSize = physical,
            ReadOnly = readOnly,
            Removable = removable,
            Encrypted = encrypted,
            SanitizeBytesPerSecond = sanitizeRate,
            Serial = serial,
            Offline = offline,
            Rbd = rbd,
        };
    }

    private static readonly string[] RbdKeys = ["pool", "image", "ceph-conf", "mon-host", "client", "keyring", "create-size"];

    /// <summary>
    /// The rbd backend's keys: pool and image are required; ceph-conf and keyring are paths
    /// (relative ones against the data directory); client is the cephx id without "client.";
    /// create-size creates a missing image. Other backends may not carry these keys.
    /// </summary>
    private RbdLunOptions? MapRbd(YamlSection section, LunBackend? backend, int logicalBlockSize)
    {
        if (backend != LunBackend.Rbd)
        {
            foreach (var key in RbdKeys)
            {
                if (section.Value(key) is { } node)
                {
                    _errors.Add(node, $"'{key}' is only for the rbd backend (backend: rbd)");
                }
            }

            return null;
        }

        var pool = section.String("pool");
        var image = section.String("image");
        if (section.Value("pool") is null)
        {
            section.Missing("pool", " (the Ceph pool holding the image, e.g. pool: rbd)");
        }

        if (section.Value("image") is null)
        {
            section.Missing("image", " (the RBD image to export, e.g. image: lun0)");
        }

        CheckCephName(section, "pool", pool);
        CheckCephName(section, "image", image);
        var client = section.String("client") ?? "admin";
        if (client.StartsWith("client.", StringComparison.Ordinal))
        {
            client = client["client.".Length..];
        }

        if (client.Length == 0 || client.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            _errors.Add(section.Value("client")!, $"'client' must be a cephx id such as 'admin' or 'storlane', got '{client}'");
        }

        var createSize = section.Size("create-size");
        if (createSize is { } bytes && (bytes <= 0 || bytes % logicalBlockSize != 0))
        {
            _errors.Add(section.Value("create-size")!, $"'create-size' {bytes} bytes must be a positive multiple of the logical block size ({logicalBlockSize})");
            createSize = null;
        }

        var conf = CephPath(section, "ceph-conf");
        var keyring = CephPath(section, "keyring");
        var monitorHost = section.String("mon-host");
        if (pool is null || image is null)
        {
            return null;
        }

        return new RbdLunOptions
        {
            Pool = pool,
            Image = image,
            CephConf = conf,
            MonitorHost = monitorHost,
            Client = client,
            Keyring = keyring,
            CreateSizeBytes = createSize ?? 0,
        };
    }

    /// <summary>Pool and image names: no slash (it separates them in "pool/image"), no '@' (snapshots), no spaces.</summary>
    private void CheckCephName(YamlSection section, string key, string? name)
    {
        if (name is not null && (name.Length == 0 || name.Any(c => c is '/' or '@' || char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            _errors.Add(section.Value(key)!, $"'{key}' must be a Ceph name without '/', '@' or spaces, got '{name}'");
        }
    }

    private string? CephPath(YamlSection section, string key)
    {
        var path = section.String(key);
        if (path is null)
        {
            return null;
        }

        // Not checked here: a gateway's conf may be put in place by configuration management after
        // the config is written; the start names the LUN and the missing file.
        return Path.GetFullPath(Path.Combine(_dataDirectory, path));
    }

    private LunBackend? MapBackend(YamlSection section)
    {
        var text = section.String("backend");
        switch (text)
        {
            case null or "file":
                return LunBackend.File;
            case "memory":
                return LunBackend.Memory;
            case "vhdx":
                return LunBackend.Vhdx;
            case "rbd":
                return LunBackend.Rbd;
            default:
                _errors.Add(section.Value("backend")!, $"'backend' must be 'file', 'vhdx', 'rbd' or 'memory', got '{text}'");
                return null;
        }
    }

    private int? BlockSize(YamlSection section, string key)
    {
        var value = section.Integer(key, 1, int.MaxValue);
        if (value is null)
        {
            return null;
        }

        if (!BlockGeometry.IsSupportedBlockSize((int)value))
        {
            _errors.Add(section.Value(key)!, $"'{key}' must be 512 or 4096, got {value}");
            return null;
        }

        return (int)value;
    }

    /// <summary>File LUNs need a path, resolved against the data directory; two LUNs on one file would corrupt each other.</summary>
    private string? MapPath(YamlSection section, LunBackend? backend)
    {
        var path = section.String("path");
        if (backend is LunBackend.Memory or LunBackend.Rbd)
        {
            if (path is not null)
            {
                _errors.Add(section.Value("path")!, backend == LunBackend.Rbd ? "'path' is not for the rbd backend; name the image with 'pool' and 'image'" : "'path' is only for the file backend; a memory LUN has no file");
            }

            return null;
        }

        if (path is null)
        {
            if (backend is LunBackend.File or LunBackend.Vhdx)
            {
                section.Missing("path", backend == LunBackend.Vhdx ? " (the vhdx backend needs a VHDX file, e.g. path: lun0.vhdx)" : " (the file backend needs an image file, e.g. path: lun0.img)");
            }

            return null;
        }

        var fullPath = Path.GetFullPath(Path.Combine(_dataDirectory, path));
        if (!_lunFiles.TryAdd(fullPath, section.Value("path")!))
        {
            _errors.Add(section.Value("path")!, $"file '{path}' is already used by the LUN at line {_lunFiles[fullPath].Start.Line}");
        }

        return fullPath;
    }

    /// <summary>VPD page 0x80 carries the serial as printable ASCII.</summary>
    private string? MapSerial(YamlSection section)
    {
        var serial = section.String("serial");
        if (serial is not null && (serial.Length is 0 or > MaxSerialLength || serial.Any(c => c is < ' ' or > '~')))
        {
            _errors.Add(section.Value("serial")!, $"'serial' must be 1..{MaxSerialLength} printable ASCII characters");
            return null;
        }

        return serial;
    }
}
