using Storlane.Interop.Tests.Infrastructure;

namespace Storlane.Interop.Tests;

/// <summary>
/// A LUN grown without a restart: the administrator raises its size in the config file and sends
/// SIGHUP; libiscsi's iscsi-readcapacity16 then sees the new size, and a smaller size is refused.
/// </summary>
public sealed class LiveResizeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [ToolFact(ExternalTools.IscsiReadCapacity16)]
    public async Task Sighup_WithALargerLunSize_GrowsTheLunLive()
    {
        await using var served = await ServedTarget.StartAsync();
        var config = await File.ReadAllTextAsync(served.ConfigPath);
        await File.WriteAllTextAsync(served.ConfigPath, config.Replace("path: lun1.img, size: 64MiB", "path: lun1.img, size: 128MiB", StringComparison.Ordinal));

        await CommandRunner.SignalAsync(served.Server.Pid, "HUP");

        var deadline = DateTime.UtcNow + Patience;
        CommandResult result;
        do
        {
            await Task.Delay(200);
            result = await served.RunAsync(ExternalTools.IscsiReadCapacity16, served.Url(1));
        }
        while (!result.Output.Contains("Total size:134217728", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.True(result.Output.Contains("Total size:134217728", StringComparison.Ordinal), result.ToString());
        Assert.Contains("RETURNED LOGICAL BLOCK ADDRESS:32767", result.Output, StringComparison.Ordinal);
        Assert.Equal(128L << 20, new FileInfo(Path.Combine(served.DataDirectory, "lun1.img")).Length);
    }

    [ToolFact(ExternalTools.IscsiReadCapacity16)]
    public async Task Sighup_WithASmallerLunSize_IsRefusedAndTheLunKeepsItsSize()
    {
        await using var served = await ServedTarget.StartAsync();
        var config = await File.ReadAllTextAsync(served.ConfigPath);
        await File.WriteAllTextAsync(served.ConfigPath, config.Replace("path: lun0.img, size: 64MiB", "path: lun0.img, size: 32MiB", StringComparison.Ordinal));

        await CommandRunner.SignalAsync(served.Server.Pid, "HUP");

        var deadline = DateTime.UtcNow + Patience;
        while (!served.Server.Log.Contains("a LUN only grows", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Contains("reload refused", served.Server.Log, StringComparison.Ordinal);
        var result = await served.RunAsync(ExternalTools.IscsiReadCapacity16, served.Url(0));
        Assert.Contains($"Total size:{ServedTarget.LunSize}", result.Output, StringComparison.Ordinal);
    }
}
