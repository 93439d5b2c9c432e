using Storlane.Storage;

namespace Storlane.Scsi;

/// <summary>
/// Reservation state of a unit served by this process alone: kept in memory, and in a file when the
/// application client asks for APTPL = 1 (SPC-4 5.12.5 "Persist Through Power Loss"); APTPL = 0 removes
/// the file. The file is replaced atomically and durably (<see cref="DurableFile"/>). Without a path
/// there is no persistence (PTPL_C = 0). Nobody else writes, so a compare-and-swap only fails when two
/// commands of this process race, and there is never a change to hear about.
/// </summary>
public sealed class LocalLuSharedState : ILuSharedState
{
    private readonly Lock _lock = new();
    private readonly string? _path;
    private SharedStateImage _image;

    /// <param name="path">Where APTPL state is kept (a file LUN's image path plus ".pr"); null for none.</param>
    /// <exception cref="IOException">The file exists and cannot be read.</exception>
    public LocalLuSharedState(string? path)
    {
        _path = path;
        _image = path is not null && File.Exists(path) ? new SharedStateImage(1, File.ReadAllBytes(path)) : default;
    }

    public SharedStatePersistence Persistence => _path is null ? SharedStatePersistence.None : SharedStatePersistence.OnRequest;

    public bool IsShared => false;

    public ValueTask<SharedStateImage> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return new(_image);
        }
    }

    /// <summary>
    /// Writing the file under the lock keeps file and memory in the same order of changes; PERSISTENT
    /// RESERVE OUT is rare, so the wait is acceptable.
    /// </summary>
    public ValueTask<ulong?> TryReplaceAsync(ulong expectedVersion, ReadOnlyMemory<byte> content, bool durable, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_image.Version != expectedVersion)
            {
                return new((ulong?)null);
            }

            if (_path is not null)
            {
                if (durable)
                {
                    DurableFile.Replace(_path, content.Span);
                }
                else
                {
                    DurableFile.Delete(_path);
                }
            }

            _image = new SharedStateImage(expectedVersion + 1, content.ToArray());
            return new(_image.Version);
        }
    }

    public void Subscribe(ISharedStateListener listener)
    {
        // Nobody else writes: nothing to tell.
    }
}
