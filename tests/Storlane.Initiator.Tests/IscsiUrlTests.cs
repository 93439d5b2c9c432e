namespace Storlane.Initiator.Tests;

public class IscsiUrlTests
{
    [Fact]
    public void Parse_HostTargetLun_UsesDefaultPort()
    {
        var url = IscsiUrl.Parse("iscsi://127.0.0.1/iqn.2026-11.io.storlane:default/1");
        Assert.Equal("127.0.0.1", url.Host);
        Assert.Equal(3260, url.Port);
        Assert.Equal("iqn.2026-11.io.storlane:default", url.TargetName);
        Assert.Equal(1, url.Lun);
        Assert.Null(url.User);
    }

    [Fact]
    public void Parse_ChapCredentials_SplitAtFirstPercent()
    {
        var url = IscsiUrl.Parse("iscsi://alice%0123456789ab@host.example:3261/iqn.2026-11.io.storlane:x/0");
        Assert.Equal("alice", url.User);
        Assert.Equal("0123456789ab", url.Secret);
        Assert.Equal("host.example", url.Host);
        Assert.Equal(3261, url.Port);
    }

    [Fact]
    public void Parse_PercentEncodedSecretAndMutualQuery_AreDecoded()
    {
        var url = IscsiUrl.Parse("iscsi://bob%p%40ss%2Fw%25rd@10.0.0.1/iqn.2026-11.io.storlane:x/0?target_user=tgt&target_password=s%26cret");
        Assert.Equal("p@ss/w%rd", url.Secret);
        Assert.Equal("tgt", url.TargetUser);
        Assert.Equal("s&cret", url.TargetSecret);
    }

    [Fact]
    public void Parse_Ipv6InBrackets_KeepsAddressAndPort()
    {
        var url = IscsiUrl.Parse("iscsi://[::1]:3270/iqn.2026-11.io.storlane:x/7");
        Assert.Equal("::1", url.Host);
        Assert.Equal(3270, url.Port);
        Assert.Equal("[::1]:3270", url.Portal);
    }

    [Fact]
    public void Parse_LocalAddress_IsTheSourceAddressAndShowsInToString()
    {
        var url = IscsiUrl.Parse("iscsi://10.231.1.2:3260/iqn.2026-11.io.storlane:x/0?local_address=10.231.0.11");
        Assert.Equal(System.Net.IPAddress.Parse("10.231.0.11"), url.LocalAddress);
        Assert.Equal("iscsi://10.231.1.2:3260/iqn.2026-11.io.storlane:x/0?local_address=10.231.0.11", url.ToString());
    }

    [Theory]
    [InlineData("iscsi://10.231.1.2:3260/iqn.2026-11.io.storlane:x/0", "10.231.1.2:3260")]
    [InlineData("iscsi://10.231.1.2/iqn.2026-11.io.storlane:x/0?local_address=10.231.0.11", "10.231.1.2:3260 via 10.231.0.11")]
    [InlineData("iscsi://[::1]:3270/iqn.2026-11.io.storlane:x/0?local_address=::2", "[::1]:3270 via ::2")]
    public void PathName_IsThePortal_WithTheSourceAddressWhenOneIsBound(string text, string expected) =>
        Assert.Equal(expected, IscsiUrl.Parse(text).PathName);

    [Fact]
    public void Parse_PortalOnly_HasNoTargetOrLun()
    {
        var url = IscsiUrl.Parse("iscsi://127.0.0.2");
        Assert.Null(url.TargetName);
        Assert.Null(url.Lun);
    }

    [Theory]
    [InlineData("iscsi://u%s%40x@[fe80::1]:3261/iqn.2026-11.io.storlane:a%2Fb/16383?target_user=t&target_password=q%25")]
    [InlineData("iscsi://127.0.0.1:3260/iqn.2026-11.io.storlane:default/0")]
    [InlineData("iscsi://10.231.1.2:3260/iqn.2026-11.io.storlane:x/0?local_address=10.231.0.11")]
    [InlineData("iscsi://u%s@[::1]/iqn.2026-11.io.storlane:x/0?target_user=t&target_password=q&local_address=::1")]
    public void Format_RoundTripsThroughParse(string text)
    {
        var url = IscsiUrl.Parse(text);
        Assert.Equal(url, IscsiUrl.Parse(url.ToUriString()));
    }

    [Fact]
    public void ToString_HidesSecrets()
    {
        var url = IscsiUrl.Parse("iscsi://alice%0123456789ab@h/iqn.2026-11.io.storlane:x/0?target_user=t&target_password=ba9876543210");
        var text = url.ToString();
        Assert.DoesNotContain("0123456789ab", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ba9876543210", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://host/iqn.x/0", "iscsi://")]
    [InlineData("iscsi://", "no host")]
    [InlineData("iscsi://host:70000/iqn.x/0", "port")]
    [InlineData("iscsi://host/iqn.x/16384", "LUN")]
    [InlineData("iscsi://host/iqn.x/abc", "LUN")]
    [InlineData("iscsi://::1/iqn.x/0", "brackets")]
    [InlineData("iscsi://[::1/iqn.x/0", "closing")]
    [InlineData("iscsi://alice@host/iqn.x/0", "no secret")]
    [InlineData("iscsi://a%b%zz@host/iqn.x/0", "%XX")]
    [InlineData("iscsi://host/iqn.x/0?foo=1", "unknown URL parameter")]
    [InlineData("iscsi://a%b@host/iqn.x/0?target_user=t", "both")]
    [InlineData("iscsi://host/iqn.x/0?local_address=nothost", "local_address 'nothost'")]
    [InlineData("iscsi://host/iqn.x/0?local_address=10", "local_address '10'")]
    [InlineData("iscsi://host/iqn.x/0?local_address=", "local_address")]
    public void Parse_BadUrl_SaysWhatIsWrong(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => IscsiUrl.Parse(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
