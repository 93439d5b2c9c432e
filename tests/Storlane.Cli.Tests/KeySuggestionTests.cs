using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

public sealed class KeySuggestionTests
{
    [Theory]
    [InlineData("lunz", "luns")]
    [InlineData("adress", "address")]
    [InlineData("logical-blocksize", "logical-block-size")]
    [InlineData("readonly", "read-only")]
    [InlineData("Portals", "portals")]
    public void SuggestsTheNearestKey(string typo, string expected)
    {
        string[] known = [.. ConfigKeys.Root, .. ConfigKeys.Portal, .. ConfigKeys.Target, .. ConfigKeys.Lun];
        Assert.Equal(expected, KeySuggestion.Nearest(typo, known));
    }

    [Fact]
    public void SuggestsNothing_WhenNoKeyIsClose() => Assert.Null(KeySuggestion.Nearest("colour", ConfigKeys.Lun));
}
