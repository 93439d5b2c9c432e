using System.Runtime.CompilerServices;
using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

/// <summary>The README's config reference must stay a config that serve accepts.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ReadmeConfigExample_IsValid_AndUsesEveryKey()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Configuration reference", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        var options = ConfigLoader.Parse(yaml, "README.md", ConfigAssert.DataDirectory);

        Assert.Equal(3, options.Portals.Count);
        Assert.Equal("eth1", options.Portals[2].Interface);
        Assert.Equal(4096, options.Targets[0].Luns[0].Geometry.PhysicalBlockSize);
        string[] everyKey = [.. ConfigKeys.Root, .. ConfigKeys.Portal, .. ConfigKeys.Target, .. ConfigKeys.Chap, .. ConfigKeys.Lun, .. ConfigKeys.Management, .. ConfigKeys.ApiToken];
        Assert.All(everyKey, key => Assert.Contains(key + ":", yaml, StringComparison.Ordinal));
    }

    /// <summary>
    /// Found from this source file, so it works whatever the build output folder is; if a CI build
    /// mapped source paths away, from the test assembly's folder upwards instead.
    /// </summary>
    internal static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        var fromSource = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "..", ".."));
        if (File.Exists(Path.Combine(fromSource, "Storlane.slnx")))
        {
            return fromSource;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Storlane.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("cannot find the repository root (Storlane.slnx) from the test sources or output");
    }
}
