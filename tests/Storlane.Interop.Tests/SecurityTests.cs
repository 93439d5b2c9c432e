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
