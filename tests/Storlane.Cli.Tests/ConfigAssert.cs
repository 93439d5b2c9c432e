using Storlane.Cli.Configuration;
using Storlane.Target;

namespace Storlane.Cli.Tests;

/// <summary>Parses YAML the way serve does, with a fixed file name and data directory.</summary>
internal static class ConfigAssert
{
    public const string File = "storlane.yaml";

    public static readonly string DataDirectory = Path.Combine(Path.GetTempPath(), "storlane-cli-tests-data");

    public static TargetServerOptions Valid(string yaml) => ConfigLoader.Parse(yaml, File, DataDirectory);

    /// <summary>The config must be refused with exactly one error, at <paramref name="line"/>:<paramref name="column"/>.</summary>
    public static ConfigError SingleError(string yaml, int line, int column)
    {
        var exception = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, File, DataDirectory));
        var error = Assert.Single(exception.Errors);
        Assert.Equal(File, error.File);
        Assert.True(
            (line, column) == (error.Line, error.Column),
            $"expected the error at {line}:{column}, got {error}");
        return error;
    }
}
