using Storlane.Iscsi;

namespace Storlane.Iscsi.Tests.Pdu;

/// <summary>RFC 1982 3.2 comparisons with SERIAL_BITS = 32, as RFC 7143 4.2.2.1 requires.</summary>
public class SerialNumberTests
{
    [Theory]
    [InlineData(1u, 2u)]
    [InlineData(0xFFFFFFFFu, 0u)]
    [InlineData(0xFFFFFFF0u, 0x10u)]
    [InlineData(0u, 0x7FFFFFFFu)]
    public void LessThan_HoldsAcrossTheWrap(uint earlier, uint later)
    {
        Assert.True(SerialNumber.LessThan(earlier, later));
        Assert.False(SerialNumber.LessThan(later, earlier));
        Assert.True(SerialNumber.GreaterThan(later, earlier));
    }

    [Fact]
    public void Window_SpanningTheWrap_ContainsBothEnds()
    {
        Assert.True(SerialNumber.InWindow(0xFFFFFFFF, 0xFFFFFFF0, 0x0F));
        Assert.True(SerialNumber.InWindow(0x0F, 0xFFFFFFF0, 0x0F));
        Assert.False(SerialNumber.InWindow(0x10, 0xFFFFFFF0, 0x0F));
        Assert.False(SerialNumber.InWindow(0xFFFFFFEF, 0xFFFFFFF0, 0x0F));
    }

    [Fact]
    public void EqualNumbers_AreNeitherLessNorGreater()
    {
        Assert.False(SerialNumber.LessThan(5, 5));
        Assert.False(SerialNumber.GreaterThan(5, 5));
        Assert.True(SerialNumber.LessOrEqual(5, 5));
    }
}
