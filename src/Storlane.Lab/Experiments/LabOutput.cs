using System.Globalization;

namespace Storlane.Lab.Experiments;

/// <summary>Where reports go: a fresh folder per run, <c>storlane-lab/EXPERIMENT-yyyyMMdd-HHmmss</c> unless the user names one.</summary>
public static class LabOutput
{
    public const string DefaultRoot = "storlane-lab";

    public static string DefaultDirectory(string experiment, DateTimeOffset now) =>
        Path.Combine(DefaultRoot, experiment + "-" + now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

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
