using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

/// <summary>
/// Animated files give their first frame (the picture a viewer shows first); CMYK and YCCK JPEGs give their true
/// lightness. OpenCvSharp has no binding for OpenCV's animation writer, so the animations are built by hand from
/// OpenCV-encoded frames (<see cref="AnimatedImages"/>).
/// </summary>
public sealed class AnimatedAndCmykTests
{
    private const int Width = 40, Height = 30;

    private static Mat Black() => new(Height, Width, MatType.CV_8UC3, Scalar.All(0));

    private static Mat White() => new(Height, Width, MatType.CV_8UC3, Scalar.All(255));

    private static double MeanLevel(DecodedImage image) => Cv2.Mean(image.Pixels).Val0;

    [Fact]
    public void AnimatedPng_DecodesItsFirstFrame()
    {
        using var black = Black();
        using var white = White();

        using var blackFirst = ImageDecoder.Decode(AnimatedImages.Apng(black, white));
        using var whiteFirst = ImageDecoder.Decode(AnimatedImages.Apng(white, black));

        Assert.Equal((Width, Height), (blackFirst.Width, blackFirst.Height));
        Assert.InRange(MeanLevel(blackFirst), 0, 1);
        Assert.InRange(MeanLevel(whiteFirst), 254, 256);
    }

    [Fact]
    public void AnimatedPng_WhoseDefaultImageIsNotAFrame_DecodesItsFirstAnimationFrame()
    {
        using var black = Black();
        using var white = White();
        using var grey = new Mat(Height, Width, MatType.CV_8UC3, Scalar.All(128));

        // IDAT holds a grey image that is not part of the animation; the animation is white, then black.
        using var decoded = ImageDecoder.Decode(AnimatedImages.Apng(white, black, defaultImageIsFirstFrame: false, hidden: grey));

        Assert.InRange(MeanLevel(decoded), 254, 256);
    }

    [Fact]
    public void AnimatedWebP_DecodesItsFirstFrame()
    {
        using var black = Black();
        using var white = White();

        using var blackFirst = ImageDecoder.Decode(AnimatedImages.WebP(black, white));
        using var whiteFirst = ImageDecoder.Decode(AnimatedImages.WebP(white, black));

        Assert.Equal(ImageFormat.WebP, blackFirst.Format);
        Assert.Equal((Width, Height), (blackFirst.Width, blackFirst.Height));
        Assert.InRange(MeanLevel(blackFirst), 0, 1);
        Assert.InRange(MeanLevel(whiteFirst), 254, 256);
    }

    [Fact]
    public void MultiPageTiff_DecodesItsFirstPage()
    {
        using var black = Black();
        using var white = White();
        Assert.True(Cv2.ImEncode(".tiff", black, out _)); // the codec is there
        using var folder = new TemporaryDirectory();
        string path = folder.File("pages.tiff");
        Assert.True(Cv2.ImWrite(path, [white, black]));

        using var decoded = ImageDecoder.Decode(File.ReadAllBytes(path));

        Assert.InRange(MeanLevel(decoded), 254, 256);
    }

    [Theory]
    [InlineData(CmykJpegKind.AdobeCmyk)]
    [InlineData(CmykJpegKind.CmykWithoutAdobeMarker)]
    [InlineData(CmykJpegKind.AdobeYcck)]
    public void CmykJpeg_DecodesToItsTrueLightness(CmykJpegKind kind)
    {
        using var grey = TestImages.Grey(64, 48);

        using var decoded = ImageDecoder.Decode(CmykJpeg.FromGrey(grey, kind));

        AssertSameLightness(grey, decoded);
    }

    [Fact]
    public void CmykJpeg_FromImageMagick_DecodesToItsTrueLightness()
    {
        Assert.True(ImageMagick.Version is not null, ImageMagick.Missing);
        using var grey = TestImages.Grey(64, 48);
        byte[] cmyk = ImageMagick.Convert(TestImages.Encode(grey, ".png"), ".png", ".jpg", "-colorspace", "CMYK", "-quality", "95");
        Assert.Equal(4, cmyk[JpegComponentsOffset(cmyk)]);

        using var decoded = ImageDecoder.Decode(cmyk);

        AssertSameLightness(grey, decoded);
    }

    private static void AssertSameLightness(Mat expected, DecodedImage decoded)
    {
        Assert.Equal(ImageFormat.Jpeg, decoded.Format);
        Assert.Equal((expected.Width, expected.Height), (decoded.Width, decoded.Height));
        using var grey = new Mat();
        if (decoded.Pixels.Channels() == 3)
            Cv2.CvtColor(decoded.Pixels, grey, ColorConversionCodes.BGR2GRAY);
        else
            decoded.Pixels.CopyTo(grey);
        using var difference = new Mat();
        Cv2.Absdiff(expected, grey, difference);
        double meanError = Cv2.Mean(difference).Val0;
        Assert.True(meanError < 4, $"mean lightness error {meanError:0.0} levels");
        Assert.False(decoded.HasColor, "a grey CMYK image came out coloured");
    }

    // The frame header's component count: 1 grey, 3 YCbCr, 4 CMYK/YCCK.
    private static int JpegComponentsOffset(byte[] jpeg)
    {
        int position = 2;
        while (jpeg[position] == 0xFF && jpeg[position + 1] is not (0xC0 or 0xC1 or 0xC2))
            position += 2 + (jpeg[position + 2] << 8 | jpeg[position + 3]);
        return position + 9;
    }
}
