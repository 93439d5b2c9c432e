using Storlane.Storage;

namespace Storlane.Storage.Tests;

/// <summary>Sector geometries of SBC-3 5.16.2 (READ CAPACITY(16) LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT).</summary>
public class BlockGeometryTests
{
    [Theory]
    [InlineData(512, 512, 0)]
    [InlineData(512, 4096, 3)]
    [InlineData(4096, 4096, 0)]
    public void Exponent_IsLog2OfPhysicalOverLogical(int logical, int physical, int exponent)
    {
        var geometry = BlockGeometry.FromSize(1 << 20, logical, physical);
        Assert.Equal(exponent, geometry.LogicalPerPhysicalExponent);
        Assert.Equal((1 << 20) / logical, geometry.BlockCount);
    }

    [Theory]
    [InlineData(1000, 512, 512)]
    [InlineData(4096, 520, 520)]
    [InlineData(4096, 4096, 512)]
    [InlineData(0, 512, 512)]
    public void UnsupportedGeometry_IsRefused(long size, int logical, int physical)
    {
        Assert.ThrowsAny<ArgumentException>(() => BlockGeometry.FromSize(size, logical, physical));
    }
}
