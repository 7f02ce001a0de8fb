using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Restoration;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Core.Video;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Restoration;

/// <summary>Repairs through the engine and the video colorizer: the result's lightness is the repaired one, and it says so.</summary>
public sealed class RestoredColorizationTests : IDisposable
{
    private static readonly int OrangeBin = SyntheticModels.BinAt(20, 30);
    private readonly TemporaryDirectory _work = new();
    private readonly TinyEngine _tiny = new(TinyModel.ConstantBin(OrangeBin));

    private static readonly RestorationOptions Dust = new() { Steps = RestorationSteps.Dust };

    private static Mat LightnessOf(Mat bgr)
    {
        using var lab = TestImages.ToLab(bgr);
        return lab.ExtractChannel(0);
    }

    [Fact]
    public async Task ColorizeAsync_WithRepairs_ColorsTheRepairedLightness()
    {
        using var clean = DamagedPhotos.Clean(320, 240);
        using var specked = DamagedPhotos.WithSpecks(clean, 120);
        byte[] png = TestImages.Encode(specked, ".png");

        using var plain = await _tiny.Engine.ColorizeAsync(png);
        using var repaired = await _tiny.Engine.ColorizeAsync(png, ColorizationOptions.Default with { Restoration = Dust });

        using var cleanBgr = ToBgr(clean);
        using var cleanL = LightnessOf(cleanBgr);
        using var plainRender = plain.Render();
        using var repairedRender = repaired.Render();
        using var plainL = LightnessOf(plainRender);
        using var repairedL = LightnessOf(repairedRender);
        double before = Cv2.PSNR(cleanL, plainL, 100), after = Cv2.PSNR(cleanL, repairedL, 100);
        Assert.True(after - before >= 5, $"L of the result: {before:0.00} dB without repairs, {after:0.00} dB with");
        Assert.Same(Dust, repaired.Source.Restoration);
        Assert.Null(plain.Source.Restoration);
    }

    [Fact]
    public async Task Mark_RecordsTheRepairs()
    {
        using var clean = DamagedPhotos.Clean(160, 120);
        var options = ColorizationOptions.Default with { Restoration = new RestorationOptions { Steps = RestorationSteps.Noise | RestorationSteps.Dust, Strength = 0.7 } };
        using var result = await _tiny.Engine.ColorizeAsync(TestImages.Encode(clean, ".png"), options);
        string path = _work.File("marked.jpg");
        File.WriteAllBytes(path, result.Encode(OutputFormat.Jpeg));

        var tags = ExifTool.Read(path);

        Assert.Equal("dust,noise (strength 0.7)", tags["XMP-colorizer:Restoration"]);
        Assert.EndsWith("restore=dust,noise; restoreStrength=0.7", tags["XMP-colorizer:Options"]);
    }

    [Fact]
    public async Task PreparedInput_OfAnUnrepairedImage_IsRefusedWhenRepairsAreAsked()
    {
        using var grey = TestImages.Grey(64, 48);
        var image = ImageDecoder.Decode(TestImages.Encode(grey, ".png"));
        using var input = NetworkInput.Prepare(image, ColorizationOptions.DefaultRenderSize);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _tiny.Engine.ColorizeAsync(image, input, ColorizationOptions.Default with { Restoration = Dust }));
    }

    [Fact]
    public async Task Video_WithNoiseRepair_HasCalmerLightness()
    {
        string input = _work.File("grainy.avi");
        TestVideos.Write(input, 8, 128, 96, 25, TestVideos.NoisyFlat(128, 96, 119, noise: 10));
        var options = VideoOptions.Default with { Colorization = ColorizationOptions.Default with { RenderSize = 128 } };
        var repairs = options with { Colorization = options.Colorization with { Restoration = new RestorationOptions { Steps = RestorationSteps.Noise } } };

        await new VideoColorizer(_tiny.Engine).ColorizeAsync(input, _work.File("plain.avi"), options);
        await new VideoColorizer(_tiny.Engine).ColorizeAsync(input, _work.File("repaired.avi"), repairs);

        double Spread(string path)
        {
            var (frames, _) = TestVideos.ReadAll(path);
            try
            {
                using var lightness = LightnessOf(frames[4]);
                Cv2.MeanStdDev(lightness, out _, out var deviation);
                return deviation.Val0;
            }
            finally
            {
                frames.ForEach(f => f.Dispose());
            }
        }
        double plain = Spread(_work.File("plain.avi")), repaired = Spread(_work.File("repaired.avi"));
        Assert.True(repaired < 0.5 * plain, $"lightness deviation {plain:0.00} without repairs, {repaired:0.00} with");
    }

    private static Mat ToBgr(Mat grey)
    {
        var bgr = new Mat();
        Cv2.CvtColor(grey, bgr, ColorConversionCodes.GRAY2BGR);
        return bgr;
    }

    public void Dispose()
    {
        _tiny.Dispose();
        _work.Dispose();
    }
}
