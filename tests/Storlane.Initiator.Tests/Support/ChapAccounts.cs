namespace Storlane.Initiator.Tests.Support;

/// <summary>The CHAP names and secrets the initiator tests give the target and then log in with.</summary>
internal static class ChapAccounts
{
    public const string User = "alice";
    public const string Secret = "0123456789ab";
    public const string MutualUser = "target";
    public const string MutualSecret = "ba9876543210";
}
