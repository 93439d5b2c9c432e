using Storlane.TestSupport;

namespace Storlane.Target.Tests.Support;

/// <summary>Logging a raw <see cref="PduClient"/> in to the shared loopback target.</summary>
internal static class TargetLogin
{
    public const string Initiator = "iqn.2026-11.io.storlane:initiator";

    public static async Task<PduClient> LoginAsync(this LoopbackTarget target, int portal = 0, params (string Key, string Value)[] keys)
    {
        var client = PduClient.Connect(target.Server, portal);
        await client.LoginAsync(Initiator, target.Name, keys);
        return client;
    }
}
