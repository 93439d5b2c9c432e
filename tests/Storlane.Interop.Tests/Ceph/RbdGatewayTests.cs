using System.Buffers.Binary;
using Storlane.Ceph.Tests.Infrastructure;
using Storlane.Initiator.Session;
using Storlane.Interop.Tests.Infrastructure;
using Storlane.Protocol.Scsi;
using Xunit.Abstractions;

namespace Storlane.Interop.Tests.Ceph;

/// <summary>
/// `storlane serve` gateways over RBD images of one single-node Ceph the tests start themselves:
/// libiscsi's conformance suite over an rbd LUN through two gateways, and two gateways on two loopback portals exporting
/// one image (same LU identity, data written through one read through the other, COMPARE AND WRITE
/// from both at once with exactly one winner per round).
/// </summary>
[Collection(CephCollection.Name)]
public sealed class RbdGatewayTests(CephClusterFixture ceph, ITestOutputHelper output)
{
    private const int BlockSize = 512;

    /// <summary>libiscsi's MultipathIO suite, which runs only when the suite is given a second URL to the same LU.</summary>
    private static readonly string[] MultipathIoTests = ["MultipathIO.Simple", "MultipathIO.Reset", "MultipathIO.CompareAndWrite", "MultipathIO.CompareAndWriteAsync"];

    /// <summary>
    /// Failures of the two-gateway run that are known, each with its reason; anything else fails the test.
    /// Sanitize.Reset: as in the file LUNs' multipath run (ConformanceTests), Sanitize.Reservations takes
    /// a RESERVE(6) through the second path and libiscsi never releases it (mpath_sd2_put logs out only a
    /// session it cloned; the second path's is not a clone and stays logged in), so the SANITIZE through
    /// the first path gets RESERVATION CONFLICT, as SPC-2 7.21 requires of any target: the reservation's
    /// I_T nexus still exists. It passes alone over the same two gateways.
    /// (Sanitize.Readonly and MultipathIO.Reset used to fail here too: SWP and logical unit resets are now
    /// the LU's, carried to every gateway by the shared state before MODE SELECT or the TMF completes.)
    /// </summary>
    private static readonly HashSet<string> TwoGatewayKnownFailures = ["Sanitize.Reset"];

    [CephToolFact(ExternalTools.IscsiTestCu)]
    public async Task IscsiTestCu_FamilyAll_OverAnRbdLun_HasNoFailures()
    {
        // Two gateways over the image, one URL each: one run covers family ALL through the first and
        // the MultipathIO tests across both. A SANITIZE OVERWRITE held to a disk's pace, as in the
        // memory LUNs' run (Sanitize.Reset checks that it is still under way after resets).
        var image = ceph.NewImageName("conformance");
        await using var first = await RbdGateway.StartAsync(ceph, image, "127.0.0.1", group: 1, extraLunKeys: ", sanitize-rate: 8MiB/s");
        await using var second = await RbdGateway.StartAsync(ceph, image, "127.0.0.2", group: 2, extraLunKeys: ", sanitize-rate: 8MiB/s");
        var result = await CommandRunner.RunAsync(ExternalTools.IscsiTestCu, ["-d", "-S", "-t", "ALL", first.Url, second.Url], TimeSpan.FromMinutes(12));
        var report = ConformanceReport.Parse(result.Output);
        output.WriteLine($"iscsi-test-cu over rbd, two gateways: {report.Summary()}");
        output.WriteLine(result.Output);
        Assert.True(report.Total > 200, $"iscsi-test-cu ran {report.Total} tests; expected family ALL:\n{result}");
        var unexpected = report.Failed.Where(t => !TwoGatewayKnownFailures.Contains(t)).ToList();
        Assert.True(unexpected.Count == 0, $"iscsi-test-cu over rbd: unexpected failures: {string.Join(", ", unexpected)}\n{report.Summary()}");
        var notRun = MultipathIoTests.Where(t => !report.Passed.Contains(t) && !(TwoGatewayKnownFailures.Contains(t) && report.Failed.Contains(t))).ToList();
        Assert.True(notRun.Count == 0, $"iscsi-test-cu over rbd: these MultipathIO tests did not run (skipped or missing): {string.Join(", ", notRun)}\n{report.Summary()}");
    }

    /// <summary>The removable-medium tests of libiscsi (SBC-3 5.11, 5.25), which a fixed LU skips.</summary>
    private static readonly string[] RemovableMediumTests =
    [
        "PreventAllow.Simple", "PreventAllow.Eject", "PreventAllow.ITNexusLoss", "PreventAllow.Logout",
        "PreventAllow.WarmReset", "PreventAllow.ColdReset", "PreventAllow.LUNReset", "PreventAllow.2ITNexuses",
        "StartStopUnit.Simple", "StartStopUnit.PwrCnd", "StartStopUnit.NoLoej",
    ];

    [CephToolFact(ExternalTools.IscsiTestCu)]
    public async Task IscsiTestCu_PreventAllowAndStartStopUnit_OverARemovableRbdLun_ThroughTwoGateways_HaveNoFailures()
    {
        // The family-ALL run above is over a fixed medium; the medium's state (loaded or not, and which
        // I_T nexuses prevent its removal) is the LU's too, kept in the shared state. Only the two
        // families that use it, with one URL per gateway, so the second sessions
        // (PreventAllow.2ITNexuses, the UNIT ATTENTION after a load) cross gateways.
        var image = ceph.NewImageName("removable");
        await using var first = await RbdGateway.StartAsync(ceph, image, "127.0.0.1", group: 1, extraLunKeys: ", removable: true");
        await using var second = await RbdGateway.StartAsync(ceph, image, "127.0.0.2", group: 2, extraLunKeys: ", removable: true");
        var result = await CommandRunner.RunAsync(ExternalTools.IscsiTestCu, ["-d", "-t", "ALL.PreventAllow,ALL.StartStopUnit", first.Url, second.Url], TimeSpan.FromMinutes(5));
        var report = ConformanceReport.Parse(result.Output);
        output.WriteLine($"iscsi-test-cu PreventAllow and StartStopUnit over a removable rbd LU, two gateways: {report.Summary()}");
        output.WriteLine(result.Output);
        Assert.True(report.Failed.Count == 0, $"iscsi-test-cu over a removable rbd LU: failures: {string.Join(", ", report.Failed)}\n{report.Summary()}");
        var notRun = RemovableMediumTests.Where(t => !report.Passed.Contains(t)).ToList();
        Assert.True(notRun.Count == 0, $"iscsi-test-cu over a removable rbd LU: these did not run and pass (skipped or missing): {string.Join(", ", notRun)}\n{report.Summary()}");
    }

    [CephFact]
    public async Task TwoGateways_OverOneImage_AreOneLu_AndSeeEachOthersWrites()
    {
        var image = ceph.NewImageName("two-gateways");
        await using var first = await RbdGateway.StartAsync(ceph, image, "127.0.0.1", group: 1);
        await using var second = await RbdGateway.StartAsync(ceph, image, "127.0.0.2", group: 2);
        await using var one = await first.ConnectAsync("iqn.2026-11.io.storlane:host-a");
        await using var two = await second.ConnectAsync("iqn.2026-11.io.storlane:host-a");

        Assert.Equal(await DeviceIdentifier(one), await DeviceIdentifier(two));

        var data = new byte[64 * BlockSize];
        Random.Shared.NextBytes(data);
        (await one.ExecuteAsync(0, Write16(1000, 64), Memory<byte>.Empty, data)).ThrowIfFailed();
        (await one.ExecuteAsync(0, SynchronizeCache(), Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();

        var back = new byte[data.Length];
        (await two.ExecuteAsync(0, Read16(1000, 64), back, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
        Assert.Equal(data, back);

        // And the other way round, without a flush: librbd's cache is write-through until the first flush of each client.
        Random.Shared.NextBytes(data);
        (await two.ExecuteAsync(0, Write16(5000, 64), Memory<byte>.Empty, data)).ThrowIfFailed();
        (await two.ExecuteAsync(0, SynchronizeCache(), Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
        (await one.ExecuteAsync(0, Read16(5000, 64), back, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
        Assert.Equal(data, back);
    }

    [CephFact]
    public async Task CompareAndWrite_FromTwoGatewaysAtOnce_ExactlyOneWinsEachRound()
    {
        var image = ceph.NewImageName("caw-race");
        await using var first = await RbdGateway.StartAsync(ceph, image, "127.0.0.1", group: 1);
        await using var second = await RbdGateway.StartAsync(ceph, image, "127.0.0.2", group: 2);
        await using var one = await first.ConnectAsync("iqn.2026-11.io.storlane:host-a");
        await using var two = await second.ConnectAsync("iqn.2026-11.io.storlane:host-b");
        const long Lba = 77;
        const int Rounds = 20;

        (await one.ExecuteAsync(0, Write16(Lba, 1), Memory<byte>.Empty, Block(0, 0))).ThrowIfFailed();
        for (var round = 0; round < Rounds; round++)
        {
            // Both expect what the last round left (the block of the round before, owner byte 0),
            // each wants to put its own owner byte there: an ATS lock taken from two hosts at once.
            var expected = round == 0 ? Block(0, 0) : await ReadBlock(one, Lba);
            var fromOne = one.ExecuteAsync(0, CompareAndWrite(Lba), Memory<byte>.Empty, Concat(expected, Block(round + 1, 1))).AsTask();
            var fromTwo = two.ExecuteAsync(0, CompareAndWrite(Lba), Memory<byte>.Empty, Concat(expected, Block(round + 1, 2))).AsTask();
            var results = await Task.WhenAll(fromOne, fromTwo);

            var winners = results.Count(r => r.IsGood);
            Assert.True(winners == 1, $"round {round}: {winners} winners ({results[0].Status}/{results[0].Sense?.Key}, {results[1].Status}/{results[1].Sense?.Key})");
            var loser = results.Single(r => !r.IsGood);
            Assert.Equal(SenseKey.Miscompare, loser.Sense?.Key);

            var winner = results[0].IsGood ? (byte)1 : (byte)2;
            Assert.Equal(Block(round + 1, winner), await ReadBlock(two, Lba));
        }
    }

    /// <summary>
    /// RFC 7143 11.14: the Logout Response follows the cleanup, and the end of the I_T nexus releases a
    /// RESERVE(6) (SPC-2 7.21). With the reservation in the cluster, another initiator already logged in
    /// through the other gateway must find it released as soon as the holder's logout is answered, not
    /// once the first gateway's write reaches RADOS a round trip later (libiscsi's Reserve6.Logout,
    /// with the second initiator on the other gateway).
    /// </summary>
    [CephFact]
    public async Task Reserve6_HolderLoggedOutThroughOneGateway_IsReleasedAtTheOtherWhenTheLogoutIsAnswered()
    {
        var image = ceph.NewImageName("reserve6-logout");
        await using var first = await RbdGateway.StartAsync(ceph, image, "127.0.0.1", group: 1);
        await using var second = await RbdGateway.StartAsync(ceph, image, "127.0.0.2", group: 2);
        await using var other = await second.ConnectAsync("iqn.2026-11.io.storlane:host-b");
        const int Rounds = 10;

        for (var round = 0; round < Rounds; round++)
        {
            var holder = await first.ConnectAsync("iqn.2026-11.io.storlane:host-a");
            (await holder.ExecuteAsync(0, Reserve6(), Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
            var blocked = await other.ExecuteAsync(0, new byte[6], Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
            Assert.Equal(ScsiStatus.ReservationConflict, blocked.Status);

            await holder.LogoutAsync();
            await holder.DisposeAsync();

            var reserved = await other.ExecuteAsync(0, Reserve6(), Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
            Assert.True(reserved.IsGood, $"round {round}: RESERVE(6) through the other gateway right after the holder's logout: {reserved.Status}/{reserved.Sense?.Key}");
            (await other.ExecuteAsync(0, Release6(), Memory<byte>.Empty, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
        }
    }

    private static byte[] Block(int round, byte owner)
    {
        var block = new byte[BlockSize];
        block.AsSpan().Fill((byte)round);
        block[0] = owner;
        return block;
    }

    private static byte[] Concat(byte[] verify, byte[] write) => [.. verify, .. write];

    private static async Task<byte[]> ReadBlock(IscsiSession session, long lba)
    {
        var block = new byte[BlockSize];
        (await session.ExecuteAsync(0, Read16(lba, 1), block, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
        return block;
    }

    /// <summary>VPD 83h's first designator (the NAA): the LU's identity as an initiator sees it.</summary>
    private static async Task<string> DeviceIdentifier(IscsiSession session)
    {
        var page = new byte[255];
        (await session.ExecuteAsync(0, (byte[])[0x12, 0x01, 0x83, 0x00, 0xFF, 0x00], page, ReadOnlyMemory<byte>.Empty)).ThrowIfFailed();
        var length = page[4 + 3];
        return Convert.ToHexString(page.AsSpan(4, 4 + length));
    }

    private static byte[] Read16(long lba, int blocks) => Rw16(0x88, lba, blocks);

    private static byte[] Write16(long lba, int blocks) => Rw16(0x8A, lba, blocks);

    private static byte[] CompareAndWrite(long lba)
    {
        var cdb = new byte[16];
        cdb[0] = 0x89;
        BinaryPrimitives.WriteUInt64BigEndian(cdb.AsSpan(2), (ulong)lba);
        cdb[13] = 1;
        return cdb;
    }

    private static byte[] Reserve6() => [0x16, 0, 0, 0, 0, 0];

    private static byte[] Release6() => [0x17, 0, 0, 0, 0, 0];

    private static byte[] SynchronizeCache() => [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static byte[] Rw16(byte opcode, long lba, int blocks)
    {
        var cdb = new byte[16];
        cdb[0] = opcode;
        BinaryPrimitives.WriteUInt64BigEndian(cdb.AsSpan(2), (ulong)lba);
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(10), (uint)blocks);
        return cdb;
    }
}
