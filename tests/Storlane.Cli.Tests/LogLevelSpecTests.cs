using Microsoft.Extensions.Logging;
using Storlane.Cli.Logging;

namespace Storlane.Cli.Tests;

/// <summary>--log-level: one level, then levels per category that cover the categories under them.</summary>
public sealed class LogLevelSpecTests
{
    [Fact]
    public void CategoryLevels_OverrideTheDefault_ForThatCategoryAndTheOnesUnderIt()
    {
        Assert.True(LogLevelSpec.TryParse("warning, Storlane.Target=debug ,Storlane.Target.Pdus=trace", out var spec, out var error), error);
        using var factory = ConsoleLogging.Create(spec);

        Assert.False(factory.CreateLogger("Storlane.Nvme").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("Storlane.Nvme").IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("Storlane.Target.Login").IsEnabled(LogLevel.Debug));
        Assert.False(factory.CreateLogger("Storlane.Target.Login").IsEnabled(LogLevel.Trace));
        Assert.True(factory.CreateLogger("Storlane.Target.Pdus").IsEnabled(LogLevel.Trace));
    }

    [Theory]
    [InlineData("loud", "'loud' is not a log level")]
    [InlineData("info,Storlane.Target", "'Storlane.Target' is not CATEGORY=LEVEL")]
    [InlineData("info,Storlane.Target=loud", "'Storlane.Target=loud' is not CATEGORY=LEVEL")]
    [InlineData("info,=debug", "'=debug' is not CATEGORY=LEVEL")]
    [InlineData("info,A=debug,A=trace", "category 'A' is given twice")]
    public void BadText_IsRefused_NamingThePart(string text, string expected)
    {
        Assert.False(LogLevelSpec.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
