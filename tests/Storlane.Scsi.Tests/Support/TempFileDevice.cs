using Storlane.Storage;

namespace Storlane.Scsi.Tests;

/// <summary>A sparse-file backed device in a temporary directory, deleted on dispose.</summary>
internal sealed class TempFileDevice : IAsyncDisposable
{
    private readonly string _directory;

    public TempFileDevice(BlockGeometry geometry)
    {
        _directory = Path.Combine(Path.GetTempPath(), "storlane-scsi-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Device = FileBlockDevice.OpenOrCreate(Path.Combine(_directory, "lun.img"), geometry);
    }

    public FileBlockDevice Device { get; }

    public async ValueTask DisposeAsync()
    {
        await Device.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
