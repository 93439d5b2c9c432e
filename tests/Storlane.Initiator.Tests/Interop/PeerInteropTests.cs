using Storlane.Initiator.Session;
using Storlane.Initiator.Tests.Support;
using Storlane.Iscsi.Initiator;

namespace Storlane.Initiator.Tests.Interop;

/// <summary>
/// The initiator against real peer targets (tgtd and istgt) on loopback: discovery, login,
/// digests, CHAP, and a verified pattern written and read back, large enough to need R2Ts.
/// </summary>
[Trait("Category", "Interop")]
public class PeerInteropTests
{
    private const string User = "alice";
    private const string Secret = "0123456789ab";
    private const string MutualUser = "target";
    private const string MutualSecret = "ba9876543210";

    private static readonly IscsiDiskOptions Digests = new()
    {
        Session = new IscsiSessionOptions { Offer = new InitiatorOffer { HeaderDigest = DigestPreference.Required, DataDigest = DigestPreference.Required } },
    };

    [PeerFact("tgtd", "tgt")]
    public async Task Tgtd_DiscoveryFindsTheTarget()
    {
        await using var peer = await TgtdPeer.StartAsync();
        await using var session = await IscsiSession.ConnectDiscoveryAsync("127.0.0.1", peer.Port);
        var targets = await session.SendTargetsAsync();
        Assert.Contains(targets, t => t.Name == TgtdPeer.TargetName);
    }

    [PeerFact("tgtd", "tgt")]
    public async Task Tgtd_WriteAndReadBack_AVerifiedPattern()
    {
        await using var peer = await TgtdPeer.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(peer.Url());
        await VerifyRoundTripAsync(disk);
    }

    [PeerFact("tgtd", "tgt")]
    public async Task Tgtd_WithDigests_RoundTrips()
    {
        await using var peer = await TgtdPeer.StartAsync();
        await peer.AllowDigestsAsync();
        await using var disk = await IscsiDisk.OpenAsync(peer.Url(), Digests);
        Assert.True(disk.Session.Parameters.HeaderDigest && disk.Session.Parameters.DataDigest);
        await VerifyRoundTripAsync(disk);
    }

    [PeerFact("tgtd", "tgt")]
    public async Task Tgtd_MutualChap_RightLogsInWrongIsRefused()
    {
        await using var peer = await TgtdPeer.StartAsync();
        await peer.RequireChapAsync(User, Secret, MutualUser, MutualSecret);
        var mutual = $"?target_user={MutualUser}&target_password={MutualSecret}";
        await using (var disk = await IscsiDisk.OpenAsync(peer.Url(User + "%" + Secret, mutual)))
        {
            Assert.True(disk.BlockCount > 0);
        }

        await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiDisk.OpenAsync(peer.Url(User + "%wrong-secret-1")));
        await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiDisk.OpenAsync(peer.Url(User + "%" + Secret, $"?target_user={MutualUser}&target_password=wrong-secret-2")));
    }

    [PeerFact("istgt", "istgt")]
    public async Task Istgt_DiscoveryFindsTheTarget()
    {
        await using var peer = await IstgtPeer.StartAsync();
        await using var session = await IscsiSession.ConnectDiscoveryAsync("127.0.0.1", peer.Port);
        var targets = await session.SendTargetsAsync();
        Assert.Contains(targets, t => t.Name == IstgtPeer.TargetName);
    }

    [PeerFact("istgt", "istgt")]
    public async Task Istgt_WriteAndReadBack_AVerifiedPattern()
    {
        await using var peer = await IstgtPeer.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(peer.Url());
        await VerifyRoundTripAsync(disk);
    }

    [PeerFact("istgt", "istgt")]
    public async Task Istgt_WithDigests_RoundTrips()
    {
        await using var peer = await IstgtPeer.StartAsync();
        await using var disk = await IscsiDisk.OpenAsync(peer.Url(), Digests);
        Assert.True(disk.Session.Parameters.HeaderDigest && disk.Session.Parameters.DataDigest);
        await VerifyRoundTripAsync(disk);
    }

    [PeerFact("istgt", "istgt")]
    public async Task Istgt_MutualChap_RightLogsInWrongIsRefused()
    {
        var auth = $"  Auth \"{User}\" \"{Secret}\" \"{MutualUser}\" \"{MutualSecret}\"";
        await using var peer = await IstgtPeer.StartAsync("CHAP Mutual", auth);
        var mutual = $"?target_user={MutualUser}&target_password={MutualSecret}";
        await using (var disk = await IscsiDisk.OpenAsync(peer.Url(User + "%" + Secret, mutual)))
        {
            Assert.True(disk.BlockCount > 0);
        }

        await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiDisk.OpenAsync(peer.Url(User + "%wrong-secret-1", mutual)));
        await Assert.ThrowsAsync<IscsiLoginException>(() => IscsiDisk.OpenAsync(peer.Url(User + "%" + Secret, $"?target_user={MutualUser}&target_password=wrong-secret-2")));
    }

    /// <summary>4 MiB in one call (split by the LU's limits, R2Ts beyond the first burst), plus concurrent small writes, all read back.</summary>
    private static async Task VerifyRoundTripAsync(IscsiDisk disk)
    {
        Assert.True(disk.BlockSize is 512 or 4096);
        var big = Patterns.Make(4 << 20, 11);
        await disk.WriteAsync(0, big);
        var small = Enumerable.Range(0, 16).Select(i => Patterns.Make(disk.BlockSize * 8, 100 + i)).ToArray();
        var baseLba = (8L << 20) / disk.BlockSize;
        await Task.WhenAll(small.Select((data, i) => disk.WriteAsync(baseLba + (i * 8), data).AsTask()));
        await disk.FlushAsync();

        var back = new byte[big.Length];
        await disk.ReadAsync(0, back);
        Assert.Equal(big, back);
        for (var i = 0; i < small.Length; i++)
        {
            var block = new byte[small[i].Length];
            await disk.ReadAsync(baseLba + (i * 8), block);
            Assert.Equal(small[i], block);
        }
    }
}
