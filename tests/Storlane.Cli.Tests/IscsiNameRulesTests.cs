using Storlane.Cli.Configuration;

namespace Storlane.Cli.Tests;

public sealed class IscsiNameRulesTests
{
    [Theory]
    [InlineData("iqn.2026-11.io.storlane:default")]
    [InlineData("iqn.1994-05.com.example:host1")]
    [InlineData("iqn.2008-11.org.linux-kvm")]
    [InlineData("iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-inq")]
    [InlineData("iqn.2001-04.com.example:storage:diskarrays-sn-a8675309")]
    [InlineData("eui.02004567A425678D")]
    [InlineData("naa.52004567BA64678D")]
    [InlineData("naa.62004567BA64678D0123456789ABCDEF")]
    public void Accepts_RfcExamplesAndRealInitiatorNames(string name) => Assert.Null(IscsiNameRules.Validate(name));

    [Theory]
    [InlineData("")]
    [InlineData("iqn.")]
    [InlineData("iqn.2026-1.io.storlane")]
    [InlineData("iqn.2026-00.io.storlane")]
    [InlineData("iqn.2026-11")]
    [InlineData("iqn.2026-11.")]
    [InlineData("iqn.2026-11.io..storlane")]
    [InlineData("iqn.2026-11.io.storlane:under_score")]
    [InlineData("IQN.2026-11.io.storlane")]
    [InlineData("eui.02004567A425678")]
    [InlineData("eui.02004567A425678G")]
    [InlineData("naa.0123")]
    [InlineData("host1")]
    public void Refuses_MalformedNames(string name) => Assert.NotNull(IscsiNameRules.Validate(name));

    [Fact]
    public void Refuses_NamesLongerThan223Bytes()
    {
        var name = "iqn.2026-11.io.storlane:" + new string('a', 200);
        Assert.Contains("longer than 223 bytes", IscsiNameRules.Validate(name), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iqn.2026-11.io.Storlane:x", "write 'iqn.2026-11.io.storlane:x'")]
    [InlineData("iqn.2026-13.io.Storlane:x", "month 13 is not 01..12")]
    [InlineData("iqn.2026-13.io.storlane:x", "month 13 is not 01..12")]
    [InlineData("iqn.2026-11.IO.storlane:under_score", "'_'")]
    public void TheMessage_NamesEveryProblem_AndSuggestsOnlyAValidName(string name, string expected)
    {
        var message = IscsiNameRules.Validate(name);

        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        var suggestion = System.Text.RegularExpressions.Regex.Match(message, "write '([^']*)'");
        if (suggestion.Success)
        {
            Assert.Null(IscsiNameRules.Validate(suggestion.Groups[1].Value));
        }
    }
}
