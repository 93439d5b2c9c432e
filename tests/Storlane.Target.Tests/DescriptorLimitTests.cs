using Storlane.Target.Connections;

namespace Storlane.Target.Tests;

/// <summary>Connections stop well before the process runs out of file descriptors (the runtime needs some to live).</summary>
public sealed class DescriptorLimitTests
{
    [Fact]
    public void OpenFilesLimit_IsTheSoftLimitOfProcSelfLimits()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                Limit                     Soft Limit           Hard Limit           Units
                Max processes             94489                94489                processes
                Max open files            128                  4096                 files
                """);
            Assert.Equal(128, DescriptorLimit.ReadOpenFilesLimit(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OpenFilesLimit_Unreadable_IsUnknown() =>
        Assert.Null(DescriptorLimit.ReadOpenFilesLimit("/nonexistent/limits"));

    [Theory]
    [InlineData(256L, 100L, 92)]     // what is open, and at least 64, kept back
    [InlineData(2048L, 120L, 1672)]  // what is open, and an eighth, kept back
    [InlineData(128L, 120L, 1)]      // never below one connection
    public void ConnectionsAllowed_KeepWhatIsOpenAndAReserve(long limit, long inUse, int allowed) =>
        Assert.Equal(allowed, DescriptorLimit.ConnectionsAllowed(limit, inUse));

    [Fact]
    public void CountOpen_SeesThisProcesssDescriptors() =>
        Assert.True(DescriptorLimit.CountOpen() > 3, "stdin, stdout and stderr at least");

    [Fact]
    public void Admission_TakesTheSmallerOfTheConfiguredAndTheDescriptorLimit()
    {
        var limits = new TargetLimits { MaxConnections = 1024, MaxConnectionsPerAddress = 1000 };
        var admission = new ConnectionAdmission(limits, descriptorAllowance: 2);
        var portal = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 3260);

        Assert.True(admission.TryAdmit(System.Net.IPAddress.Loopback, portal, out _));
        Assert.True(admission.TryAdmit(System.Net.IPAddress.Loopback, portal, out _));
        Assert.False(admission.TryAdmit(System.Net.IPAddress.Loopback, portal, out var refusal));
        Assert.Contains("file-descriptor", refusal, StringComparison.Ordinal);
        Assert.Equal(2, admission.MaxConnections);
    }

    [Fact]
    public void Admission_RecountedLater_JudgesNewConnectionsByTheNewAllowance_AndKeepsTheOpenOnes()
    {
        var limits = new TargetLimits { MaxConnections = 1024, MaxConnectionsPerAddress = 1000 };
        var admission = new ConnectionAdmission(limits, descriptorAllowance: 3);
        var portal = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 3260);
        Assert.True(admission.TryAdmit(System.Net.IPAddress.Loopback, portal, out _));
        Assert.True(admission.TryAdmit(System.Net.IPAddress.Loopback, portal, out _));

        // The management API started after the limit was set and holds descriptors of its own.
        admission.SetDescriptorAllowance(1);

        Assert.Equal(1, admission.MaxConnections);
        Assert.Equal(2, admission.Open);
        Assert.False(admission.TryAdmit(System.Net.IPAddress.Loopback, portal, out var refusal));
        Assert.Contains("file-descriptor", refusal, StringComparison.Ordinal);
        admission.SetDescriptorAllowance(null);
        Assert.Equal(1024, admission.MaxConnections);
    }
}
