using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Guidance;

public sealed class ColorTransferTests : IDisposable
{
    // The network says "slightly blue" everywhere; the reference is a warm, tan photo (in gamut at every lightness).
    private readonly TinyEngine _tiny = new(TinyModel.ConstantBin(SyntheticModels.BinAt(0, -10)), includeDecodingTail: false);

    public void Dispose() => _tiny.Dispose();

    private static DecodedImage Photo(Scalar bgr, int width = 200, int height = 150)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, bgr);
        return DecodedImage.FromMat(image.Clone());
    }

    private static Scalar MeanLab(Mat bgr)
    {
        using var lab = TestImages.ToLab(bgr);
        return Cv2.Mean(lab);
    }

    [Theory]
    [InlineData(ReferenceTransferMode.Global)]
    [InlineData(ReferenceTransferMode.LuminanceBands)]
    public async Task Result_TakesTheReferenceChromaAndKeepsItsLightness(ReferenceTransferMode mode)
    {
        using var reference = Photo(new Scalar(100, 150, 200));
        var palette = ReferencePalette.FromImage(reference);
        using var grey = TestImages.Gradient(320, 240, 60, 200);
        using var result = await _tiny.Engine.ColorizeAsync(DecodedImage.FromMat(grey.Clone()));

        using var automatic = result.Render(0.38, 1);
        using var transferred = result.Render(0.38, 1, new ColorGuidance { Reference = palette, TransferMode = mode });

        var before = MeanLab(automatic);
        var after = MeanLab(transferred);
        Assert.True(before.Val2 < -5, $"the automatic result is bluish (b {before.Val2:0.0})");
        Assert.InRange(after.Val1, palette.Global.MeanA - 3, palette.Global.MeanA + 3);
        Assert.InRange(after.Val2, palette.Global.MeanB - 3, palette.Global.MeanB + 3);
        // Only chroma moves: L* stays within rounding of the automatic result.
        Assert.InRange(after.Val0 - before.Val0, -1.0, 1.0);
    }

    [Fact]
    public void Bands_DescribeShadowsAndHighlightsSeparately()
    {
        // Dark blue shadows at the top, bright yellow highlights at the bottom.
        using var photo = new Mat(200, 200, MatType.CV_8UC3, new Scalar(90, 20, 10));
        using (var bottom = photo.RowRange(100, 200))
            bottom.SetTo(new Scalar(120, 240, 250));
        using var decoded = DecodedImage.FromMat(photo.Clone());

        var palette = ReferencePalette.FromImage(decoded);

        Assert.True(palette.Bands[0].MeanB < -20, $"shadows are blue (b {palette.Bands[0].MeanB:0.0})");
        Assert.True(palette.Bands[2].MeanB > 20, $"highlights are yellow (b {palette.Bands[2].MeanB:0.0})");
        Assert.InRange(palette.Global.MeanB, palette.Bands[0].MeanB, palette.Bands[2].MeanB);
    }

    [Fact]
    public void GreyReference_IsRefused()
    {
        using var grey = new Mat(50, 50, MatType.CV_8UC1, Scalar.All(128));
        using var decoded = DecodedImage.FromMat(grey.Clone());

        var error = Assert.Throws<InvalidHintsException>(() => ReferencePalette.FromImage(decoded));

        Assert.Contains("no colour", error.Message);
    }
}
