using System.Buffers.Binary;
using Storlane.Nvme.Tests.Support;
using Storlane.Storage;

namespace Storlane.Nvme.Tests.Target;

/// <summary>
/// Namespaces follow the LUNs changed live: each change is a Namespace Attribute Changed notice (AER
/// DW0 00040002h) and the NSID in the Changed Namespace List (log 04h); the notice comes once until the
/// host reads the log with RAE cleared (NVMe base 2.0, 5.2, 5.16.1.5).
/// </summary>
public class LiveNamespaceTests
{
    private const uint NamespaceNotice = 0x0004_0002;

    [Fact]
    public async Task LunAdded_IsANamespace_TheHostHearsOf_AndItsNsidIsInTheChangedList()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await ConnectWithNoticesAsync(target);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

        target.Device.AddLogicalUnit(2, new MemoryBlockDevice(new BlockGeometry(512, 512, 2048)));

        var notice = CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8));
        Assert.True(notice.Status.IsSuccess);
        Assert.Equal(NamespaceNotice, notice.Dword0);
        Assert.Equal([3u], await ChangedListAsync(host, retainEvent: false));
        Assert.Contains(3u, ActiveList(await host.IdentifyAsync(0x02)));
        Assert.Equal(2048UL, BinaryPrimitives.ReadUInt64LittleEndian((await host.IdentifyAsync(0x00, 3)).AsSpan(0))); // NSZE

        // Read with RAE cleared: the list is empty again, and the next change is told.
        Assert.Empty(await ChangedListAsync(host, retainEvent: false));
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        Assert.True(target.Device.RemoveLogicalUnit(2));
        Assert.Equal(NamespaceNotice, CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8)).Dword0);
        Assert.Equal([3u], await ChangedListAsync(host, retainEvent: false));
        Assert.DoesNotContain(3u, ActiveList(await host.IdentifyAsync(0x02)));
    }

    [Fact]
    public async Task Notice_ComesOnce_UntilTheLogIsReadWithRaeCleared()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await ConnectWithNoticesAsync(target);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        target.Device.AddLogicalUnit(2, new MemoryBlockDevice(new BlockGeometry(512, 512, 2048)));
        Assert.Equal(NamespaceNotice, CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8)).Dword0);

        // Masked: a second change with an AER held completes nothing (the next answer is the Keep Alive's).
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);
        target.Device.AddLogicalUnit(3, new MemoryBlockDevice(new BlockGeometry(512, 512, 2048)));
        await AssertNoNoticeAsync(host);

        // RAE set: the list is read, the event stays masked.
        Assert.Equal([3u, 4u], await ChangedListAsync(host, retainEvent: true));
        Assert.True(target.Device.RemoveLogicalUnit(3));
        await AssertNoNoticeAsync(host);

        // RAE cleared: unmasked, so the next change completes the AER still held.
        Assert.Equal([4u], await ChangedListAsync(host, retainEvent: false));
        Assert.True(target.Device.RemoveLogicalUnit(2));
        Assert.Equal(NamespaceNotice, CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8)).Dword0);
    }

    [Fact]
    public async Task ChangeWhileNoAerIsHeld_IsReportedOnTheNextAer()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await ConnectWithNoticesAsync(target);

        target.Device.AddLogicalUnit(2, new MemoryBlockDevice(new BlockGeometry(512, 512, 2048)));

        var notice = await host.ExecuteAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest));
        Assert.Equal(NamespaceNotice, notice.Dword0);
    }

    [Fact]
    public async Task NoticesNotEnabled_AreNotReported_ButTheListStillNamesTheNamespace()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await TestHost.OpenAsync(target.IoEndpoint);
        await host.ConnectAsync(TargetFixture.Nqn);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

        target.Device.AddLogicalUnit(2, new MemoryBlockDevice(new BlockGeometry(512, 512, 2048)));

        await AssertNoNoticeAsync(host);
        Assert.Equal([3u], await ChangedListAsync(host, retainEvent: false));
    }

    [Fact]
    public async Task LunMadeReadOnly_IsAWriteProtectedNamespace_TheHostHearsOf()
    {
        await using var target = await TargetFixture.StartAsync();
        await using var host = await ConnectWithNoticesAsync(target);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

        Assert.True(target.Device.SetLogicalUnitReadOnly(1, readOnly: true));

        Assert.Equal(NamespaceNotice, CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8)).Dword0);
        Assert.Equal([2u], await ChangedListAsync(host, retainEvent: false));
        Assert.Equal(1, (await host.IdentifyAsync(0x00, 2))[99] & 1); // NSATTR: write protected
        await using var io = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await io.ConnectAsync(TargetFixture.Nqn, qid: 1, controllerId: host.ControllerId)).Status.IsSuccess);
        var write = io.IoCommand(IoOpcode.Write, 2, 0, 1);
        Assert.Equal(NvmeStatus.NamespaceWriteProtected, (await io.ExecuteAsync(write, new byte[4096])).Status);
    }

    [Fact]
    public async Task LunGrown_ChangesNszeAndNcap_AndTheHostHearsOf()
    {
        var folder = Directory.CreateTempSubdirectory("storlane-nvme-grow-").FullName;
        try
        {
            await using var target = await TargetFixture.StartAsync();
            var device = FileBlockDevice.OpenOrCreate(Path.Combine(folder, "lun2.img"), new BlockGeometry(512, 512, 2048));
            target.Device.AddLogicalUnit(2, device);
            await using var host = await ConnectWithNoticesAsync(target);
            await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

            await target.Device.GrowLogicalUnitAsync(2, 4096);

            Assert.Equal(NamespaceNotice, CompletionEntry.Read((await host.ReadPduAsync()).AsSpan(8)).Dword0);
            Assert.Equal([3u], await ChangedListAsync(host, retainEvent: false));
            var identify = await host.IdentifyAsync(0x00, 3);
            Assert.Equal(4096UL, BinaryPrimitives.ReadUInt64LittleEndian(identify.AsSpan(0))); // NSZE
            Assert.Equal(4096UL, BinaryPrimitives.ReadUInt64LittleEndian(identify.AsSpan(8))); // NCAP
            Assert.True(target.Device.RemoveLogicalUnit(2));
            await device.DisposeAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task LunTakenOffline_IsNoNamespaceAttributeChange()
    {
        // Offline is the namespace's ANA group turning inaccessible: an ANA change, not a namespace change.
        await using var target = await TargetFixture.StartAsync();
        await using var host = await ConnectWithNoticesAsync(target);
        await host.SendCapsuleAsync(host.NewCommand((byte)AdminOpcode.AsyncEventRequest), null);

        Assert.True(target.Device.SetLogicalUnitOffline(1, offline: true));

        await AssertNoNoticeAsync(host);
        Assert.Empty(await ChangedListAsync(host, retainEvent: false));
    }

    /// <summary>Connects to the I/O subsystem and enables Namespace Attribute Notices (AEC bit 8).</summary>
    internal static async Task<TestHost> ConnectWithNoticesAsync(TargetFixture target)
    {
        var host = await TestHost.OpenAsync(target.IoEndpoint);
        Assert.True((await host.ConnectAsync(TargetFixture.Nqn)).Status.IsSuccess);
        var aec = host.NewCommand((byte)AdminOpcode.SetFeatures);
        BinaryPrimitives.WriteUInt32LittleEndian(aec.AsSpan(40), (uint)FeatureId.AsyncEventConfiguration);
        BinaryPrimitives.WriteUInt32LittleEndian(aec.AsSpan(44), AsyncEvents.NamespaceAttributeNotices);
        Assert.True((await host.ExecuteAsync(aec)).Status.IsSuccess);
        return host;
    }

    /// <summary>
    /// A Keep Alive after the change: its answer is the next PDU, so no AER completion was queued before
    /// it (the target queues a notice while the change runs, before the Keep Alive is even sent).
    /// </summary>
    internal static async Task AssertNoNoticeAsync(TestHost host)
    {
        var keepAlive = host.NewCommand((byte)AdminOpcode.KeepAlive);
        var id = BinaryPrimitives.ReadUInt16LittleEndian(keepAlive.AsSpan(2));
        var answer = await host.ExecuteAsync(keepAlive);
        Assert.Equal(id, answer.CommandId);
    }

    /// <summary>Get Log Page 04h, with RAE (CDW10 bit 15) as asked: the NSIDs listed.</summary>
    internal static async Task<List<uint>> ChangedListAsync(TestHost host, bool retainEvent)
    {
        var sqe = host.NewCommand((byte)AdminOpcode.GetLogPage, 0xFFFF_FFFF);
        var cdw10 = (uint)LogPageId.ChangedNamespaces | (retainEvent ? 1u << 15 : 0) | ((uint)((ChangedNamespaceList.Length / 4) - 1) << 16);
        BinaryPrimitives.WriteUInt32LittleEndian(sqe.AsSpan(40), cdw10);
        var (completion, page) = await host.ExecuteWithDataAsync(sqe, expectDataLength: ChangedNamespaceList.Length);
        Assert.True(completion.Status.IsSuccess, completion.Status.ToString());
        var nsids = new List<uint>();
        for (var at = 0; at < page.Length && BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan(at)) is var nsid and not 0; at += 4)
        {
            nsids.Add(nsid);
        }

        return nsids;
    }

    private static List<uint> ActiveList(byte[] identify)
    {
        var nsids = new List<uint>();
        for (var at = 0; at < identify.Length && BinaryPrimitives.ReadUInt32LittleEndian(identify.AsSpan(at)) is var nsid and not 0; at += 4)
        {
            nsids.Add(nsid);
        }

        return nsids;
    }
}
