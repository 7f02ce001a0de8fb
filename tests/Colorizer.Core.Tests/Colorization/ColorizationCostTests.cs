using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Colorization;

public sealed class ColorizationCostTests
{
    [Fact]
    public void ADefaultJobOnASmallPhoto_CostsOne()
    {
        using var photo = TestImages.Grey(640, 480);

        Assert.Equal(1, ColorizationCost.Estimate(ModelCatalogue.Eccv16, 224, TestImages.Encode(photo, ".png")), 1);
    }

    [Fact]
    public void AFlatPhotoOfManyPixels_CostsByItsPixels_NotItsSmallFile()
    {
        using var flat = TestImages.Flat(12000, 4000, 128);
        byte[] png = TestImages.Encode(flat, ".png");
        Assert.True(png.Length < 1_000_000, $"{png.Length} bytes");

        // 48 megapixels is four 12-megapixel units on top of the network's one.
        Assert.InRange(ColorizationCost.Estimate(ModelCatalogue.Eccv16, 224, png), 4.9, 5.1);
        Assert.True(ColorizationCost.Estimate(ModelCatalogue.Eccv16, 224, png) >= WorkQueue.ExpensiveCost);
    }

    [Fact]
    public void ALargeRender_IsExpensive_AndAnUnreadableFileCostsByItsSize()
    {
        Assert.InRange(ColorizationCost.Estimate(ModelCatalogue.Eccv16, 1024, 0), 20.8, 21);
        Assert.Equal(2, ColorizationCost.Estimate(ModelCatalogue.Eccv16, 224, new byte[8 * 1024 * 1024].AsSpan()), 3);
    }
}
