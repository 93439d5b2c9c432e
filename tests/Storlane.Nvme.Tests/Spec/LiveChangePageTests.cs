namespace Storlane.Nvme.Tests.Spec;

/// <summary>Golden bytes of what a live change tells a host: the Changed Namespace List and the AER completion dword.</summary>
public class LiveChangePageTests
{
    [Fact]
    public void ChangedNamespaceList_ListsTheNsids_LittleEndian_ThenZeros()
    {
        var page = new byte[ChangedNamespaceList.Length];
        page.AsSpan().Fill(0xEE);

        ChangedNamespaceList.Write(page, [2, 0x0102_0304], overflowed: false);

        Assert.Equal(new byte[] { 0x02, 0, 0, 0, 0x04, 0x03, 0x02, 0x01 }, page[..8]);
        Assert.All(page[8..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void ChangedNamespaceList_PastItsThousandAndTwentyFourEntries_IsFfffffffThenZeros()
    {
        var page = new byte[ChangedNamespaceList.Length];
        page.AsSpan().Fill(0xEE);

        ChangedNamespaceList.Write(page, [1, 2, 3], overflowed: true);

        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, page[..4]);
        Assert.All(page[4..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void NamespaceAttributeChanged_IsANoticeOfInformation00_ExplainedByLog04()
    {
        // Figure 150: bits 2:0 type 2h (Notice), 15:8 information 00h, 23:16 log page 04h.
        Assert.Equal(0x0004_0002u, AsyncEvents.Notice(AsyncEvents.NamespaceAttributeChanged, LogPageId.ChangedNamespaces));
    }

    [Fact]
    public void DiscoveryLogChange_IsANoticeOfInformationF0_ExplainedByLog70()
    {
        Assert.Equal(0x0070_F002u, AsyncEvents.Notice(AsyncEvents.DiscoveryLogChange, LogPageId.Discovery));
    }
}
