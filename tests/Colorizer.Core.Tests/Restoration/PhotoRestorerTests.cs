using Colorizer.Core.Imaging;
using Colorizer.Core.Restoration;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Restoration;

/// <summary>
/// Known answers: a clean synthetic photo is damaged, repaired, and the repaired lightness must be closer to the clean
/// one by a stated PSNR margin; the clean photo must come through each step (almost) unchanged. The margins sit a few
/// dB under what was measured (docs/restoration.md).
/// </summary>
public sealed class PhotoRestorerTests
{
    public static TheoryData<string, RestorationSteps, double, double> Damage => new()
    {
        // damage, step, the least PSNR gain in dB on the first photo (measured: 8.7, 25.6, 21.3, 11.3, 18.1) and on
        // the second. A fade is undone only as far as the stretch's target range matches the photo's own, so that
        // gain depends most on the photo (8.6 dB measured on the second).
        { "specks", RestorationSteps.Dust, 6, 4.5 },
        { "scratches", RestorationSteps.Scratches, 20, 15 },
        { "gaussian", RestorationSteps.Noise, 16, 12 },
        { "grain", RestorationSteps.Noise, 8, 6 },
        { "faded", RestorationSteps.Contrast, 14, 7 },
    };

    private static Mat Damaged(string damage, Mat clean) => damage switch
    {
        "specks" => DamagedPhotos.WithSpecks(clean, 300),
        "scratches" => DamagedPhotos.WithScratches(clean),
        "gaussian" => DamagedPhotos.WithGaussianNoise(clean, 12),
        "grain" => DamagedPhotos.WithFilmGrain(clean, 14),
        _ => DamagedPhotos.Faded(clean),
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void Step_BringsTheDamagedPhotoCloserToTheClean(string damage, RestorationSteps step, double gain, double _)
    {
        using var clean = DamagedPhotos.Clean(640, 480);
        using var damaged = Damaged(damage, clean);
        using var repaired = PhotoRestorer.Restore(damaged, step, RestorationOptions.DefaultStrength);

        double before = Cv2.PSNR(clean, damaged), after = Cv2.PSNR(clean, repaired);
        Assert.True(after - before >= gain, $"{damage}: {before:0.00} dB damaged, {after:0.00} dB repaired; at least +{gain} dB expected");
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public void Step_WorksOnAnotherPhotoToo(string damage, RestorationSteps step, double _, double gain)
    {
        using var clean = DamagedPhotos.Clean(500, 700, seed: 11);
        using var damaged = Damaged(damage, clean);
        using var repaired = PhotoRestorer.Restore(damaged, step, RestorationOptions.DefaultStrength);

        double before = Cv2.PSNR(clean, damaged), after = Cv2.PSNR(clean, repaired);
        // Another layout of shapes, in portrait.
        Assert.True(after - before >= gain, $"{damage}: {before:0.00} dB damaged, {after:0.00} dB repaired; at least +{gain} dB expected");
    }

    [Theory]
    [InlineData(RestorationSteps.Dust, 45)]
    [InlineData(RestorationSteps.Scratches, 50)]
    [InlineData(RestorationSteps.Noise, 50)]
    [InlineData(RestorationSteps.Contrast, 50)]
    public void Step_LeavesAnUndamagedPhotoAlmostAsItWas(RestorationSteps step, double minimumPsnr)
    {
        using var clean = DamagedPhotos.Clean(640, 480);
        using var through = PhotoRestorer.Restore(clean, step, 1.0);
        Assert.True(Cv2.PSNR(clean, through) >= minimumPsnr, $"{step}: {Cv2.PSNR(clean, through):0.00} dB");
    }

    [Fact]
    public void AllSteps_RepairEveryDamageAtOnce()
    {
        using var clean = DamagedPhotos.Clean(640, 480);
        using var specks = DamagedPhotos.WithSpecks(clean, 200);
        using var scratched = DamagedPhotos.WithScratches(specks);
        using var noisy = DamagedPhotos.WithGaussianNoise(scratched, 8);
        using var all = PhotoRestorer.Restore(noisy, RestorationSteps.Dust | RestorationSteps.Scratches | RestorationSteps.Noise, 0.5);
        Assert.True(Cv2.PSNR(clean, all) - Cv2.PSNR(clean, noisy) >= 8, $"{Cv2.PSNR(clean, noisy):0.00} → {Cv2.PSNR(clean, all):0.00} dB");
    }

    [Fact]
    public void SixteenBitPhoto_StaysSixteenBitAndIsRepaired()
    {
        using var clean = DamagedPhotos.Clean(320, 240);
        using var damaged = DamagedPhotos.WithGaussianNoise(clean, 12);
        using var clean16 = new Mat();
        using var damaged16 = new Mat();
        clean.ConvertTo(clean16, MatType.CV_16U, 257);
        damaged.ConvertTo(damaged16, MatType.CV_16U, 257);

        using var repaired = PhotoRestorer.Restore(damaged16, RestorationSteps.Noise | RestorationSteps.Contrast, 0.5);

        Assert.Equal(MatType.CV_16UC1, repaired.Type());
        Assert.True(Cv2.PSNR(clean16, repaired, 65535) - Cv2.PSNR(clean16, damaged16, 65535) >= 12);
    }

    [Fact]
    public void Apply_KeepsAlphaMetadataAndSaysWhatWasDone()
    {
        using var colour = TestImages.Colorful(64, 48);
        using var alpha = new Mat(48, 64, MatType.CV_8UC1, Scalar.All(200));
        using var bgra = new Mat();
        Cv2.Merge([.. Cv2.Split(colour), alpha], bgra);
        var image = ImageDecoder.Decode(TestImages.Encode(bgra, ".png"));
        var options = new RestorationOptions { Steps = RestorationSteps.Noise, Strength = 0.3 };

        using var restored = PhotoRestorer.Apply(image, options);

        Assert.Equal(1, restored.Pixels.Channels());
        Assert.NotNull(restored.Alpha);
        Assert.Equal(200, restored.Alpha!.At<byte>(10, 10));
        Assert.Same(options, restored.Restoration);
        Assert.Equal("noise (strength 0.3)", restored.Restoration!.Describe());
    }

    [Fact]
    public void Apply_WithNoStep_ReturnsTheImageItself()
    {
        using var grey = TestImages.Grey(20, 10);
        using var image = DecodedImage.FromMat(grey.Clone());
        Assert.Same(image, PhotoRestorer.Apply(image, RestorationOptions.None));
        Assert.Null(image.Restoration);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Strength_OutOfRange_IsRefusedNamingIt(double strength)
    {
        var ex = Assert.Throws<InvalidColorizationOptionException>(() => new RestorationOptions { Steps = RestorationSteps.Dust, Strength = strength }.Validate());
        Assert.Equal("RestoreStrength", ex.OptionName);
    }

    [Theory]
    [InlineData("dust,scratches,noise,contrast", RestorationSteps.Dust | RestorationSteps.Scratches | RestorationSteps.Noise | RestorationSteps.Contrast)]
    [InlineData(" Noise , DUST ", RestorationSteps.Dust | RestorationSteps.Noise)]
    [InlineData("", RestorationSteps.None)]
    public void StepNames_Parse(string text, RestorationSteps expected)
    {
        Assert.True(RestorationStepNames.TryParse(text, out var steps, out _));
        Assert.Equal(expected, steps);
    }

    [Fact]
    public void StepNames_NameTheUnknownOne()
    {
        Assert.False(RestorationStepNames.TryParse("dust,fog", out _, out string? unknown));
        Assert.Equal("fog", unknown);
    }
}
