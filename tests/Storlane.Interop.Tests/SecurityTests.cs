using Storlane.Interop.Tests.Infrastructure;
using static Storlane.Interop.Tests.Infrastructure.TestData;

namespace Storlane.Interop.Tests;

/// <summary>CHAP and initiator ACLs, checked with libiscsi's tools (credentials in the URL, -i for the initiator name).</summary>
public sealed class SecurityTests
{
    private const string ChapSettings = """
            chap: { user: alice, secret: "0123456789ab" }
            mutual-chap: { user: storlane, secret: "target-secret-42" }
        """;

    private const string Allowed = "iqn.1994-05.com.example:allowed";
    private const string Intruder = "iqn.1994-05.com.example:intruder";
    private const string OpenTarget = "iqn.2026-11.io.storlane:open";

    private const string DiscoveryChapSetting = """discovery-chap: { user: disco, secret: "discovery-42" }""";

    private const string AclSettings = $"""
            allowed-initiators: [{Allowed}]
        """;

    private const string OpenTargetItem = $$"""
          - name: {{OpenTarget}}
            luns: [{ lun: 0, backend: memory, size: 1MiB }]
        """;

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task Chap_RightSecret_LogsIn()
    {
        await using var served = await ServedTarget.StartAsync(ChapSettings);

        AssertSucceeded(await served.RunAsync(ExternalTools.IscsiInq, served.Url(0, "alice%0123456789ab")));
    }

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task Chap_WrongSecret_IsRefused()
    {
        await using var served = await ServedTarget.StartAsync(ChapSettings);

        var result = await served.RunAsync(ExternalTools.IscsiInq, served.Url(0, "alice%0123456789ac"));

        AssertFailed(result);
        Assert.DoesNotContain("DIRECT_ACCESS", result.Output, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task Chap_NoCredentials_IsRefused()
    {
        await using var served = await ServedTarget.StartAsync(ChapSettings);

        AssertFailed(await served.RunAsync(ExternalTools.IscsiInq, served.Url(0)));
    }

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task MutualChap_TargetProvesItKnowsItsSecret()
    {
        await using var served = await ServedTarget.StartAsync(ChapSettings);

        var right = await served.RunAsync(ExternalTools.IscsiInq, served.Url(0, "alice%0123456789ab") + "?target_user=storlane&target_password=target-secret-42");
        var wrong = await served.RunAsync(ExternalTools.IscsiInq, served.Url(0, "alice%0123456789ab") + "?target_user=storlane&target_password=not-the-secret");

        AssertSucceeded(right);
        AssertFailed(wrong);
    }

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task ChapCredentials_ForATargetWithoutChap_LogIn()
    {
        // libiscsi offers AuthMethod=CHAP,None, gets None, and declares InitiatorName, TargetName
        // and SessionType again in the operational stage: the same values, so the login goes on.
        await using var served = await ServedTarget.StartAsync();

        var result = await served.RunAsync(ExternalTools.IscsiInq, served.Url(0, "alice%0123456789ab"));

        AssertSucceeded(result);
        Assert.DoesNotContain("declared or negotiated more than once", served.Server.Log, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.IscsiLs)]
    public async Task DiscoveryChap_ListsTheLunsOfATargetWithoutChap()
    {
        // iscsi-ls -s passes discovery CHAP with the URL's credentials, then logs in to each target
        // with the same credentials to list its LUNs.
        await using var served = await ServedTarget.StartAsync(rootSettings: DiscoveryChapSetting);

        var result = await served.RunAsync(ExternalTools.IscsiLs, "-s", $"iscsi://disco%discovery-42@{served.Portal}");

        AssertSucceeded(result);
        Assert.Contains(ServedTarget.Iqn, result.Output, StringComparison.Ordinal);
        Assert.Contains("Lun:2", result.Output, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.IscsiLs)]
    public async Task DiscoveryChap_WrongSecret_ListsNothing()
    {
        await using var served = await ServedTarget.StartAsync(rootSettings: DiscoveryChapSetting);

        var result = await served.RunAsync(ExternalTools.IscsiLs, "-s", $"iscsi://disco%discovery-43@{served.Portal}");

        AssertFailed(result);
        Assert.DoesNotContain(ServedTarget.Iqn, result.Output, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.IscsiLs)]
    public async Task Acl_InitiatorNotAllowed_DoesNotSeeTheTarget()
    {
        await using var served = await ServedTarget.StartAsync(AclSettings, OpenTargetItem);

        var intruder = await served.RunAsync(ExternalTools.IscsiLs, "-i", Intruder, $"iscsi://{served.Portal}");
        var allowed = await served.RunAsync(ExternalTools.IscsiLs, "-i", Allowed, $"iscsi://{served.Portal}");

        AssertSucceeded(intruder);
        Assert.DoesNotContain(ServedTarget.Iqn, intruder.Output, StringComparison.Ordinal);
        Assert.Contains(OpenTarget, intruder.Output, StringComparison.Ordinal);
        AssertSucceeded(allowed);
        Assert.Contains(ServedTarget.Iqn, allowed.Output, StringComparison.Ordinal);
    }

    [ToolFact(ExternalTools.IscsiInq)]
    public async Task Acl_InitiatorNotAllowed_CannotLogIn()
    {
        await using var served = await ServedTarget.StartAsync(AclSettings, OpenTargetItem);

        AssertFailed(await served.RunAsync(ExternalTools.IscsiInq, "-i", Intruder, served.Url(0)));
        AssertSucceeded(await served.RunAsync(ExternalTools.IscsiInq, "-i", Allowed, served.Url(0)));
        AssertSucceeded(await served.RunAsync(ExternalTools.IscsiInq, "-i", Intruder, served.Url(0, target: OpenTarget)));
    }
}
