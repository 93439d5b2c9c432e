using Storlane.Target;

namespace Storlane.Cli.Serving;

/// <summary>
/// The LUN image files a start is about to create, so that a start that fails (a port in use) takes
/// them back: the images that did not exist before it, and the files the target put beside them
/// (PATH.key, PATH.pr, ...). Files that existed before the start are never touched.
/// </summary>
internal sealed class NewLunFiles
{
    private readonly List<(string Image, HashSet<string> SideFilesBefore)> _images;

    private NewLunFiles(List<(string Image, HashSet<string> SideFilesBefore)> images) => _images = images;

    public static NewLunFiles Before(TargetServerOptions options)
    {
        var images = new List<(string, HashSet<string>)>();
        foreach (var target in options.Targets)
        {
            foreach (var lun in target.Luns)
            {
                if (lun.Device is null && lun.Backend != LunBackend.Memory && lun.Path is { } path && !File.Exists(path))
                {
                    var full = Path.GetFullPath(path);
                    images.Add((full, new HashSet<string>(SideFiles(full), StringComparer.Ordinal)));
                }
            }
        }

        return new NewLunFiles(images);
    }

    /// <summary>Deletes what the start created; returns the paths removed. A file that cannot be removed is left, and not reported as removed.</summary>
    public IReadOnlyList<string> Remove()
    {
        var removed = new List<string>();
        foreach (var (image, sideFilesBefore) in _images)
        {
            foreach (var file in SideFiles(image).Where(f => !sideFilesBefore.Contains(f)).Prepend(image))
            {
                try
                {
                    if (File.Exists(file))
                    {
                        File.Delete(file);
                        removed.Add(file);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left in place: the start failure is what the user must see.
                }
            }
        }

        return removed;
    }

    private static IEnumerable<string> SideFiles(string image)
    {
        var directory = Path.GetDirectoryName(image);
        return directory is not null && Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, Path.GetFileName(image) + ".*")
            : [];
    }
}
