using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public sealed class ImageDecoderTests
{
    // A 40×20 image whose left half is dark and right half bright, so a turn is visible in the pixels.
    private static Mat HalfAndHalf()
    {
        var image = new Mat(20, 40, MatType.CV_8UC1, Scalar.All(30));
        using var right = image.ColRange(20, 40);
        right.SetTo(Scalar.All(220));
        return image;
    }

    [Theory]
    [InlineData(".jpg")]
    [InlineData(".png")]
    [InlineData(".webp")]
    public void ExifOrientation6_IsAppliedOnce(string extension)
    {
        using var source = HalfAndHalf();
        byte[] encoded = ImagingTestData.Encode(extension, source, extension == ".webp" ? [(int)ImwriteFlags.WebPQuality, 101] : []);
        byte[] tiff = ImagingTestData.ExifBlock(littleEndian: true, orientation: 6);
        byte[] withExif = extension switch
        {
            ".jpg" => ImagingTestData.InjectJpegExif(encoded, tiff),
            ".png" => ImagingTestData.InjectPngExif(encoded, tiff),
            _ => ImagingTestData.ToVp8XWithExif(encoded, 40, 20, tiff),
        };

        using var decoded = ImageDecoder.Decode(withExif);
        // Rotated 90° clockwise: 20 wide, 40 high, the former left (dark) half now on top.
        Assert.Equal(20, decoded.Width);
        Assert.Equal(40, decoded.Height);
        Assert.InRange(decoded.Pixels.At<byte>(5, 10), 0, 60);
        Assert.InRange(decoded.Pixels.At<byte>(35, 10), 190, 255);
    }

    [Fact]
    public void TiffOrientation_IsAppliedOnceNotTwice()
    {
        byte[] tiff = ImagingTestData.HandMadeTiff(6, 4, littleEndian: true, sizesAsLong: false, orientation: 6);
        using var decoded = ImageDecoder.Decode(tiff);
        Assert.Equal(4, decoded.Width);
        Assert.Equal(6, decoded.Height);
    }

    [Fact]
    public void AlphaPng_IsSplitIntoGreyOrColorAndAlpha()
    {
        using var bgra = new Mat(10, 12, MatType.CV_8UC4, new Scalar(10, 20, 30, 128));
        using var decoded = ImageDecoder.Decode(ImagingTestData.Encode(".png", bgra));
        Assert.Equal(3, decoded.Pixels.Channels());
        Assert.NotNull(decoded.Alpha);
        Assert.Equal(128, decoded.Alpha!.At<byte>(5, 5));
    }

    [Fact]
    public void EmptyFile_IsInvalid() =>
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode([]));

    [Fact]
    public void TruncatedPng_IsInvalidNotACrash()
    {
        using var image = HalfAndHalf();
        byte[] png = ImagingTestData.Encode(".png", image);
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(png.AsSpan(0, png.Length / 2)));
        Assert.Contains("PNG", error.Message);
    }

    [Fact]
    public void TextRenamedToJpg_IsUnsupported() =>
        Assert.Throws<UnsupportedImageFormatException>(() => ImageDecoder.Decode("hello, this is not an image"u8));

    [Fact]
    public void HugeDeclaredSize_IsRefusedFromTheHeaderAlone()
    {
        byte[] bomb = ImagingTestData.PngHeaderOnly(40000, 40000);
        var error = Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(bomb));
        Assert.Contains("40000×40000", error.Message);
    }

    [Fact]
    public void PixelLimit_IsConfigurable()
    {
        using var image = HalfAndHalf();
        byte[] png = ImagingTestData.Encode(".png", image);
        Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(png, new DecodeLimits { MaxPixels = 799 }));
        using var decoded = ImageDecoder.Decode(png, new DecodeLimits { MaxPixels = 800 });
        Assert.Equal(40, decoded.Width);
    }
}
