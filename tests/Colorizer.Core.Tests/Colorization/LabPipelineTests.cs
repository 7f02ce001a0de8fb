using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Colorization;

public sealed class LabPipelineTests
{
    // Strong, varied colour on the network's grid, including out-of-gamut values that must clip as OpenCV clips.
    private static Mat AbGrid(int rows, int columns)
    {
        var ab = new Mat(rows, columns, MatType.CV_32FC2);
        Cv2.Randu(ab, Scalar.All(-110), Scalar.All(110));
        return ab;
    }

    [Theory]
    [InlineData(640, 480)]
    [InlineData(1001, 333)]
    [InlineData(17, 5)]
    public void GreyFastPath_MatchesOpenCvsFloatConversion(int width, int height)
    {
        using var grey = TestImages.Grey(width, height);
        using var ab = AbGrid(56, 56);
        // The same pixels as BGR go through OpenCV's float Lab → BGR; grey takes the vectorised path.
        using var bgr = new Mat();
        Cv2.CvtColor(grey, bgr, ColorConversionCodes.GRAY2BGR);
        using var greyImage = DecodedImage.FromMat(grey.Clone());
        using var bgrImage = DecodedImage.FromMat(bgr.Clone());

        using var fast = LabPipeline.Compose(greyImage, ab);
        using var reference = LabPipeline.Compose(bgrImage, ab);

        Assert.Equal(reference.Size(), fast.Size());
        Assert.Equal(reference.Type(), fast.Type());
        Assert.True(Cv2.Norm(reference, fast, NormTypes.INF) <= 1, $"max difference {Cv2.Norm(reference, fast, NormTypes.INF)}");
        Assert.True(TestImages.Psnr(reference, fast) >= 50, $"PSNR {TestImages.Psnr(reference, fast):0.0} dB");
    }
}
