using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

/// <summary>Default folders: the service's state directory, else XDG; never the current directory.</summary>
public sealed class StorlaneFoldersTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 13, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Data_OfAUser_IsUnderXdgDataHome()
    {
        var folder = StorlaneFolders.Data(Environment(("XDG_DATA_HOME", "/home/u/data"), ("HOME", "/home/u")));

        Assert.Equal("/home/u/data/storlane", folder);
    }

    [Fact]
    public void Data_WithoutXdgDataHome_IsLocalShareInHome()
    {
        Assert.Equal("/home/u/.local/share/storlane", StorlaneFolders.Data(Environment(("HOME", "/home/u"))));
        Assert.Equal("/home/u/.local/share/storlane", StorlaneFolders.Data(Environment(("XDG_DATA_HOME", "relative/is/ignored"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void Data_OfTheSystemdService_IsItsStateDirectory()
    {
        var folder = StorlaneFolders.Data(Environment(("STATE_DIRECTORY", "/var/lib/storlane"), ("XDG_DATA_HOME", "/home/u/data"), ("HOME", "/home/u")));

        Assert.Equal("/var/lib/storlane", folder);
    }

    [Fact]
    public void Reports_AreAFreshFolderPerRun_UnderTheUsersData()
    {
        var folder = StorlaneFolders.Reports(Environment(("XDG_DATA_HOME", "/home/u/data")), "demo", Now);

        Assert.Equal("/home/u/data/storlane/reports/demo-20261102-130405", folder);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => Array.Find(variables, v => v.Name == name).Value;
}
