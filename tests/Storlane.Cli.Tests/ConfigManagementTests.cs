using Storlane.Cli.Configuration;
using Storlane.Management;

namespace Storlane.Cli.Tests;

/// <summary>The `management:` section: the API's socket and tokens, checked where each value sits.</summary>
public sealed class ConfigManagementTests
{
    private const string Hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

    private static string With(string management) => $"""
        portals:
          - address: 127.0.0.1
        targets:
          - name: iqn.2026-11.io.storlane:test
            luns:
              - lun: 0
                backend: memory
                size: 1M
        management:
        {management}
        """;

    private static ManagementOptions Load(string yaml) => ConfigLoader.ParseServe(yaml, ConfigAssert.File, ConfigAssert.DataDirectory).Management;

    [Fact]
    public void Tokens_AreReadWithRoleAndHash_AndARelativeSocketIsUnderTheDataFolder()
    {
        var management = Load(With($"""
              socket: run/api.sock
              tokens:
                - {"{"} name: grafana, role: monitor, sha256: {Hash} {"}"}
                - {"{"} name: ops, role: admin, sha256: {Hash.ToUpperInvariant()} {"}"}
            """));

        Assert.Equal(Path.Combine(ConfigAssert.DataDirectory, "run", "api.sock"), management.Socket);
        Assert.Equal(2, management.Tokens.Count);
        Assert.Equal(new ApiToken("grafana", ApiRole.Monitor, Convert.FromHexString(Hash)).Name, management.Tokens[0].Name);
        Assert.Equal(ApiRole.Monitor, management.Tokens[0].Role);
        Assert.Equal(ApiRole.Admin, management.Tokens[1].Role);
        Assert.Equal(Convert.FromHexString(Hash), management.Tokens[1].Sha256);
    }

    [Fact]
    public void NoSection_MeansTheDefaultSocketAndNoTokens()
    {
        var management = ConfigLoader.ParseServe(ConfigLoader.DefaultYaml, ConfigAssert.File, ConfigAssert.DataDirectory).Management;
        Assert.Null(management.Socket);
        Assert.Empty(management.Tokens);
    }

    [Fact]
    public void UnknownRole_IsRefusedAtTheRole()
    {
        var error = ConfigAssert.SingleError(With($"  tokens:\n    - {{ name: a, role: root, sha256: {Hash} }}"), 11, 24);
        Assert.Equal("'role' must be monitor (reads) or admin (reads and changes), not 'root'", error.Message);
    }

    [Fact]
    public void ATokenInsteadOfItsHash_IsRefusedAtTheHash()
    {
        var error = ConfigAssert.SingleError(With("  tokens:\n    - { name: a, role: admin, sha256: hunter2 }"), 11, 39);
        Assert.StartsWith("'sha256' must be 64 hex digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameTokenNameTwice_IsRefused()
    {
        var error = ConfigAssert.SingleError(With($"  tokens:\n    - {{ name: a, role: admin, sha256: {Hash} }}\n    - {{ name: a, role: monitor, sha256: {Hash} }}"), 12, 15);
        Assert.Contains("used twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKey_InTheSection_SuggestsTheNearest()
    {
        var error = ConfigAssert.SingleError(With("  sockett: /tmp/x.sock"), 10, 3);
        Assert.Equal("unknown key 'sockett' (did you mean 'socket'?)", error.Message);
    }

    [Fact]
    public void ApiSocket_FollowsSystemdThenXdgRuntimeThenTheDataFolder()
    {
        Assert.Equal("/run/storlane/api.sock", StorlaneFolders.ApiSocket(Env(("RUNTIME_DIRECTORY", "/run/storlane"), ("XDG_RUNTIME_DIR", "/run/user/1000")), "/data"));
        Assert.Equal("/run/user/1000/storlane/api.sock", StorlaneFolders.ApiSocket(Env(("XDG_RUNTIME_DIR", "/run/user/1000")), "/data"));
        Assert.Equal("/data/api.sock", StorlaneFolders.ApiSocket(Env(("XDG_RUNTIME_DIR", "relative/ignored")), "/data"));
    }

    [Fact]
    public async Task Reload_ThatChangesTheSection_IsRefusedAsNeedingARestart()
    {
        var served = ConfigLoader.ParseServe(With("  socket: /tmp/a.sock"), ConfigAssert.File, ConfigAssert.DataDirectory);
        var wanted = ConfigLoader.ParseServe(With($"  socket: /tmp/b.sock\n  tokens:\n    - {{ name: a, role: admin, sha256: {Hash} }}"), ConfigAssert.File, ConfigAssert.DataDirectory);
        await using var server = new Storlane.Target.IscsiTargetServer(served.Target, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        var plan = Serving.ReloadPlan.Compare(served, wanted, (_, _) => 1 << 20, server);
        Assert.Equal(["management socket changed; needs a restart", "management tokens changed; needs a restart"], plan.Refusals);
        Assert.Empty(Serving.ReloadPlan.Compare(served, served, (_, _) => 1 << 20, server).Refusals);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => Array.Find(variables, v => v.Name == name).Value;
}
