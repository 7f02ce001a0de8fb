using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Models.Catalogue;

public sealed class OnnxModelEngineTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private static readonly ColorModel DDColor = ModelCatalogue.Get("ddcolor");
    private static readonly ColorModel DeOldify = ModelCatalogue.Get("deoldify");

    private ColorizationEngine Load(ColorModel model, byte[] file)
    {
        TinyOnnxModels.WriteTo(_directory.Path, model, file);
        return ColorizationEngine.LoadOnnxModel(model, _directory.Path);
    }

    private static async Task<ColorizedImage> ColorizeAsync(ColorizationEngine engine, Mat grey, ColorizationOptions? options = null) =>
        await engine.ColorizeAsync(DecodedImage.FromMat(grey.Clone()), options);

    private static Scalar MeanLab(Mat bgr)
    {
        using var lab = TestImages.ToLab(bgr);
        return Cv2.Mean(lab);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(256)]
    public async Task DDColorType_ConstantAb_ColorsThePhotoWithThatAb(int? fixedSize)
    {
        using var engine = Load(DDColor, TinyOnnxModels.ConstantAb(30, -20, fixedSize));
        using var grey = TestImages.Flat(90, 60, 140);
        using var result = await ColorizeAsync(engine, grey);
        using var rendered = result.Render();

        var mean = MeanLab(rendered);
        // L* 57 with (30, −20) is inside sRGB: the colour comes back within 8-bit rounding.
        Assert.Equal(30, mean.Val1, 1.0);
        Assert.Equal(-20, mean.Val2, 1.0);
        Assert.Equal(grey.Size(), rendered.Size());
        Assert.False(result.HasDistribution);
        Assert.Equal(fixedSize ?? ModelCatalogue.OnnxDefaultInputSize, result.Prediction.RenderSize);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(192)]
    public async Task DeOldifyType_ConstantRgb_KeepsOnlyItsChroma(int? fixedSize)
    {
        // RGB (200, 120, 60) is Lab (60.3, 23.6, 44.1): only a and b may reach the result.
        using var engine = Load(DeOldify, TinyOnnxModels.ConstantRgb(200, 120, 60, fixedSize));
        using var grey = TestImages.Flat(64, 64, 110);
        using var result = await ColorizeAsync(engine, grey, ColorizationOptions.For(DeOldify) with { RenderSize = 384 });
        using var rendered = result.Render();
        using var expected = new Mat(1, 1, MatType.CV_8UC3, new Scalar(60, 120, 200));
        var target = MeanLab(expected);

        var mean = MeanLab(rendered);
        Assert.Equal(target.Val1, mean.Val1, 1.5);
        Assert.Equal(target.Val2, mean.Val2, 1.5);
        Assert.Equal(MeanLab(grey).Val0, mean.Val0, 0.8);
        Assert.Equal(fixedSize ?? 384, result.Prediction.Rows);
    }

    [Theory]
    [InlineData("ddcolor")]
    [InlineData("deoldify-stable")]
    public async Task Result_KeepsThePhotosOwnLightnessAtFullResolution(string id)
    {
        var model = ModelCatalogue.Get(id);
        using var engine = Load(model, TinyOnnxModels.Constant(model.Type));
        // Mid-tones, where the constant colour is inside the gamut: the final clip then leaves L alone.
        using var grey = TestImages.Gradient(300, 200, 70, 180);
        using var result = await ColorizeAsync(engine, grey);
        using var rendered = result.Render();
        using var lIn = TestImages.ToLab(grey).ExtractChannel(0);
        using var lOut = TestImages.ToLab(rendered).ExtractChannel(0);
        using var difference = new Mat();
        Cv2.Absdiff(lIn, lOut, difference);
        Cv2.MinMaxLoc(difference, out _, out double worst);

        // 8-bit output rounding moves L by under one unit; a model-sized L (256 px here) would blur the 300 px gradient.
        Assert.InRange(worst, 0, 0.8);
    }

    [Fact]
    public async Task DDColorType_SeesTheLightnessAsRgbInZeroToOne()
    {
        // a = 100 · R: a grey of 128 is R = 128 / 255 of the (L, 0, 0) image, so a ≈ 50.2.
        using var engine = Load(DDColor, TinyOnnxModels.AFromRed(100));
        using var grey = TestImages.Flat(40, 40, 128);
        using var result = await ColorizeAsync(engine, grey);
        using var ab = result.Prediction.DecodeAb(BinCentresForTests, 0.38, 1.0);

        var mean = Cv2.Mean(ab);
        Assert.Equal(100 * 128 / 255.0, mean.Val0, 0.2);
        Assert.Equal(0, mean.Val1, 1e-6);
    }

    [Fact]
    public async Task DeOldifyType_SeesGreyReplicatedInZeroTo255()
    {
        // Output (R, G, 0) of the input: a grey of 128 fed as 0–255 gives the yellow (128, 128, 0); fed as 0–1 it
        // would give a near-black with almost no chroma.
        using var engine = Load(DeOldify, TinyOnnxModels.RedGreenOfInput());
        using var grey = TestImages.Flat(64, 64, 128);
        using var result = await ColorizeAsync(engine, grey);
        using var ab = result.Prediction.DecodeAb(BinCentresForTests, 0.38, 1.0);
        using var yellow = new Mat(1, 1, MatType.CV_8UC3, new Scalar(0, 128, 128));
        var expected = MeanLab(yellow);

        var mean = Cv2.Mean(ab);
        Assert.Equal(expected.Val1, mean.Val0, 1.5);
        Assert.Equal(expected.Val2, mean.Val1, 1.5);
        Assert.True(expected.Val2 > 40);
    }

    [Fact]
    public async Task Saturation_ScalesTheModelsChroma_AndTemperatureHasNothingToActOn()
    {
        using var engine = Load(DDColor, TinyOnnxModels.ConstantAb(30, -20));
        using var grey = TestImages.Flat(48, 48, 140);
        using var result = await ColorizeAsync(engine, grey);
        long passes = engine.ForwardPassCount;

        using var half = result.Render(0.38, 0.5);
        using var other = result.Render(1.0, 0.5);
        var mean = MeanLab(half);

        Assert.Equal(15, mean.Val1, 1.0);
        Assert.Equal(-10, mean.Val2, 1.0);
        Assert.Equal(0, Cv2.Norm(half, other, NormTypes.INF));
        Assert.Equal(passes, engine.ForwardPassCount);
        Assert.Empty(result.LikelyColors(10, 10));
    }

    [Fact]
    public async Task Hints_ActOnTheModelsChroma()
    {
        using var engine = Load(DDColor, TinyOnnxModels.ConstantAb(30, -20));
        using var grey = TestImages.Flat(200, 100, 140);
        using var result = await ColorizeAsync(engine, grey);
        var green = new LabColor(57, -40, 40);
        using var hinted = result.Render(0.38, 1.0, new ColorGuidance { Hints = [new ColorHint(20, 50, 10, green)] });

        var nearHint = TestImages.MeanLab(hinted, new Rect(10, 40, 20, 20));
        Assert.True(nearHint.A < 0 && nearHint.B > 0, $"the hint's green should win near it; got ({nearHint.A:0.#}, {nearHint.B:0.#})");
    }

    [Fact]
    public async Task ReferencePhoto_MovesTheModelsChroma()
    {
        using var engine = Load(DDColor, TinyOnnxModels.ConstantAb(30, -20));
        using var grey = TestImages.Gradient(120, 80, 60, 200);
        using var result = await ColorizeAsync(engine, grey);
        using var reference = new Mat(40, 40, MatType.CV_8UC3, new Scalar(40, 160, 60)); // green
        using var referenceImage = DecodedImage.FromMat(reference.Clone());
        using var referenceLab = ColorTransfer.LabAt(referenceImage, 40);
        using var plain = result.Render();
        using var moved = result.Render(0.38, 1.0, new ColorGuidance { Reference = ReferencePalette.FromLab(referenceLab) });

        Assert.True(MeanLab(moved).Val1 < MeanLab(plain).Val1 - 10, "the reference's green should pull a* down");
    }

    [Fact]
    public void Options_ForAnOnnxModel_TakeOnlyItsInputSizes()
    {
        var error = Assert.Throws<InvalidColorizationOptionException>(() => (ColorizationOptions.For(DDColor) with { RenderSize = 224 }).Validate());
        Assert.Equal(ColorizationOptions.ModelSizeOption, error.OptionName);
        Assert.Contains("192, 256, 384 or 512", error.Message, StringComparison.Ordinal);

        var unknown = Assert.Throws<InvalidColorizationOptionException>(() => new ColorizationOptions { Model = "ddcolour" }.Validate());
        Assert.Equal(nameof(ColorizationOptions.Model), unknown.OptionName);
        Assert.Contains("eccv16, ddcolor, ddcolor-artistic, deoldify-stable, deoldify-artistic, deoldify", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_RefusesAnotherModelsOptions()
    {
        using var engine = Load(DDColor, TinyOnnxModels.ConstantAb(30, -20));
        using var grey = TestImages.Flat(16, 16, 100);
        await Assert.ThrowsAsync<ArgumentException>(() => ColorizeAsync(engine, grey, ColorizationOptions.Default));
    }

    private static Colorizer.Core.Models.BinCentres BinCentresForTests => Colorizer.Core.Models.BinCentres.Release;

    public void Dispose() => _directory.Dispose();
}
