using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Colorizer.Core.Tests.Guidance;

public sealed class HintPropagationTests(HintPropagationTests.NeutralEngine fixture, ITestOutputHelper output) : IClassFixture<HintPropagationTests.NeutralEngine>
{
    /// <summary>An engine whose network answers neutral grey (a = b = 0) everywhere, so any colour comes from hints.</summary>
    public sealed class NeutralEngine : IDisposable
    {
        private readonly TinyEngine _tiny = new(TinyModel.ConstantBin(SyntheticModels.BinAt(0, 0)), includeDecodingTail: false);

        public ColorizationEngine Engine => _tiny.Engine;

        public void Dispose() => _tiny.Dispose();
    }

    private readonly ColorizationEngine _engine = fixture.Engine;

    private static readonly LabColor Red = LabColor.FromHex("#c83232");

    private async Task<ColorizedImage> ColorizeAsync(Mat grey)
    {
        using var copy = grey.Clone();
        return await _engine.ColorizeAsync(DecodedImage.FromMat(copy.Clone()));
    }

    private static (double A, double B) MeanAb(Mat bgr, Rect region)
    {
        using var lab = TestImages.ToLab(bgr);
        using var part = new Mat(lab, region);
        var mean = Cv2.Mean(part);
        return (mean.Val1, mean.Val2);
    }

    [Theory]
    [InlineData(400, 300, 80, 180, 3)]
    [InlineData(2400, 1600, 80, 180, 3)]
    [InlineData(800, 600, 100, 140, 6)]
    public async Task Hint_ColorsItsRegionAndStopsAtTheEdge(int width, int height, byte leftLevel, byte rightLevel, double noise)
    {
        using var grey = TestImages.TwoRegions(width, height, leftLevel, rightLevel, noise);
        using var result = await ColorizeAsync(grey);
        var hint = new ColorHint(width / 4.0, height / 2.0, width / 40.0, Red);
        var guidance = new ColorGuidance { Hints = [hint] };

        using var plain = result.Render(0.38, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var guided = result.Render(0.38, 1, guidance);
        output.WriteLine($"render with hints {clock.ElapsedMilliseconds} ms");

        int margin = width / 20;
        var left = new Rect(margin, margin, width / 2 - 2 * margin, height - 2 * margin);
        var right = new Rect(width / 2 + margin, margin, width / 2 - 2 * margin, height - 2 * margin);
        var (leftA, leftB) = MeanAb(guided, left);
        var (rightA, rightB) = MeanAb(guided, right);
        var (plainA, plainB) = MeanAb(plain, right);
        output.WriteLine($"hint ab ({Red.A:0.0}, {Red.B:0.0}); left ({leftA:0.0}, {leftB:0.0}); right ({rightA:0.0}, {rightB:0.0}); plain right ({plainA:0.0}, {plainB:0.0})");

        // The hinted region takes most of the hint's chroma (the far corners of the region too, not just the dot) ...
        Assert.InRange(leftA, 0.8 * Red.A, 1.05 * Red.A);
        Assert.InRange(leftB, 0.8 * Red.B, 1.05 * Red.B);
        // ... and the other side of the edge keeps the network's neutral colour.
        Assert.InRange(rightA - plainA, -2.0, 2.0);
        Assert.InRange(rightB - plainB, -2.0, 2.0);
    }

    [Fact]
    public async Task ABigStroke_DoesNotWeakenASmallDotElsewhere()
    {
        const int width = 800, height = 600;
        using var grey = TestImages.TwoRegions(width, height, 80, 180);
        using var result = await ColorizeAsync(grey);
        // A blue that exists at the right region's lightness (L* about 73), so sRGB clipping does not blur the measure.
        var blue = new LabColor(70, -10, -35);
        var dot = new ColorHint(width / 4.0, height / 2.0, 4, Red);
        var stroke = new ColorHint(width * 0.55, height * 0.1, 60, blue) { Stroke = [new(width * 0.95, height * 0.5), new(width * 0.55, height * 0.9)] };

        using var guided = result.Render(0.38, 1, new ColorGuidance { Hints = [dot, stroke] });

        var (leftA, leftB) = MeanAb(guided, new Rect(40, 40, width / 2 - 80, height - 80));
        var (rightA, rightB) = MeanAb(guided, new Rect(width / 2 + 40, 40, width / 2 - 80, height - 80));
        output.WriteLine($"left ({leftA:0.0}, {leftB:0.0}) for ({Red.A:0.0}, {Red.B:0.0}); right ({rightA:0.0}, {rightB:0.0}) for ({blue.A:0.0}, {blue.B:0.0})");
        Assert.InRange(leftA, 0.8 * Red.A, 1.05 * Red.A);
        Assert.InRange(rightB, 1.05 * blue.B, 0.8 * blue.B);
    }
}
