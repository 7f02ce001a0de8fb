using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Guidance;

public sealed class GuidedRenderTests
{
    [Fact]
    public async Task LikelyColors_AreTheNetworksStrongestBinsWithThePixelsLightness()
    {
        int red = SyntheticModels.BinAt(50, 30), green = SyntheticModels.BinAt(-40, 40), blue = SyntheticModels.BinAt(0, -50);
        using var tiny = new TinyEngine(TinyModel.ConstantLogits((red, 6f), (green, 5f), (blue, 4f)), includeDecodingTail: false);
        using var grey = TestImages.Flat(64, 48, 150);
        using var result = await tiny.Engine.ColorizeAsync(DecodedImage.FromMat(grey.Clone()));

        var colors = result.LikelyColors(10, 20, count: 3);

        Assert.Equal([(50.0, 30.0), (-40.0, 40.0), (0.0, -50.0)], colors.Select(c => (c.Color.A, c.Color.B)));
        Assert.True(colors[0].Probability > colors[1].Probability && colors[1].Probability > colors[2].Probability);
        // Grey level 150 is L* 61.8.
        Assert.All(colors, c => Assert.InRange(c.Color.L, 61, 62.5));
        Assert.Throws<InvalidHintsException>(() => result.LikelyColors(64, 10));
    }

    [Fact]
    public async Task PreviewWithHints_MatchesTheFullResolutionResultShrunk()
    {
        using var tiny = new TinyEngine(TinyModel.LightnessDependent(SyntheticModels.BinAt(30, 60), SyntheticModels.BinAt(-20, -40)), includeDecodingTail: false);
        using var grey = TestImages.Gradient(1800, 1200, 40, 220);
        using var result = await tiny.Engine.ColorizeAsync(DecodedImage.FromMat(grey.Clone()));
        var guidance = new ColorGuidance { Hints = [new ColorHint(900, 600, 40, LabColor.FromHex("#2e8b57"))] };

        using var full = result.Render(0.38, 1, guidance);
        using var preview = result.RenderPreview(600, 0.38, 1, guidance);
        using var shrunk = new Mat();
        Cv2.Resize(full, shrunk, preview.Size(), 0, 0, InterpolationFlags.Area);

        Assert.Equal(new Size(600, 400), preview.Size());
        Assert.True(TestImages.Psnr(shrunk, preview) > 35, $"PSNR {TestImages.Psnr(shrunk, preview):0.0} dB");
        using var plain = result.RenderPreview(600, 0.38, 1);
        Assert.True(TestImages.Psnr(plain, preview) < 35, "the hint changed the preview");
    }

    [Fact]
    public async Task Guide_AppliesToSaveAndRejectsHintsOutsideTheImage()
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(SyntheticModels.BinAt(0, 0)), includeDecodingTail: false);
        using var grey = TestImages.Flat(120, 80, 128);
        using var result = await tiny.Engine.ColorizeAsync(DecodedImage.FromMat(grey.Clone()));

        Assert.Throws<InvalidHintsException>(() => result.Guide(new ColorGuidance { Hints = [new ColorHint(130, 10, 5, LabColor.FromHex("#f00"))] }));
        result.Guide(new ColorGuidance { Hints = [new ColorHint(60, 40, 5, LabColor.FromHex("#3366ff"))] });
        using var temporary = new TemporaryDirectory();
        string path = Path.Combine(temporary.Path, "out.png");
        await result.SaveAsync(path, OutputFormat.Png);

        using var saved = Cv2.ImRead(path);
        using var lab = TestImages.ToLab(saved);
        var mean = Cv2.Mean(lab);
        // A flat image is one region: the blue hint fills all of it.
        Assert.True(mean.Val2 < -30, $"b* {mean.Val2:0.0}");
    }
}
