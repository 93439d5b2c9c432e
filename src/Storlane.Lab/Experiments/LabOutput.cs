namespace Storlane.Lab.Experiments;

/// <summary>Where reports go: the folder the caller names (the CLI's default is a fresh one per run under the user's data folder).</summary>
public static class LabOutput
{
    /// <summary>Creates <paramref name="directory"/> and returns its full path; a file in the way is a clear error.</summary>
    public static string Prepare(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new LabExperimentException($"--output '{directory}' is a file, not a folder");
        }

        Directory.CreateDirectory(full);
        return full;
    }
}
