using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public sealed class PngEncoderTests
{
    // Noise over a gradient, so every filter and strip boundary carries real data; 1500 rows of 3000 px BGR are
    // several strips.
    private static Mat Photo(int width, int height, MatType type)
    {
        using var grey = TestImages.Grey(width, height);
        using var color = new Mat();
        Cv2.CvtColor(grey, color, ColorConversionCodes.GRAY2BGR);
        using var noise = new Mat(height, width, MatType.CV_8UC3);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(40));
        Cv2.Add(color, noise, color);
        var result = new Mat();
        int channels = type.Channels;
        if (channels == 1)
            Cv2.CvtColor(color, result, ColorConversionCodes.BGR2GRAY);
        else if (channels == 4)
        {
            Cv2.CvtColor(color, result, ColorConversionCodes.BGR2BGRA);
            using var alpha = new Mat(height, width, MatType.CV_8UC1);
            Cv2.Randu(alpha, Scalar.All(0), Scalar.All(256));
            Cv2.MixChannels([alpha], [result], [0, 3]);
        }
        else
            color.CopyTo(result);
        if (type.Depth == MatType.CV_16U)
        {
            using var eight = result.Clone();
            eight.ConvertTo(result, MatType.MakeType(MatType.CV_16U, channels), 257);
            // Make the low bytes differ from the high ones.
            using var low = new Mat(height, width, MatType.MakeType(MatType.CV_16U, channels));
            Cv2.Randu(low, Scalar.All(0), Scalar.All(200));
            Cv2.Add(result, low, result);
        }
        return result;
    }

    [Theory]
    [InlineData(3000, 1500, 3, 1)] // several strips
    [InlineData(3000, 1500, 3, 6)]
    [InlineData(3001, 700, 4, 1)] // BGRA, odd width
    [InlineData(1999, 1200, 1, 1)] // grey
    [InlineData(1500, 900, 3, 0)] // stored
    [InlineData(1, 1, 3, 1)]
    [InlineData(7, 3, 4, 9)]
    public void EightBit_RoundTripsThroughOpenCvPixelForPixel(int width, int height, int channels, int level)
    {
        using var image = Photo(width, height, MatType.MakeType(MatType.CV_8U, channels));
        byte[] png = PngEncoder.Encode(image, level);
        AssertSameAfterDecoding(image, png);
        AssertWellFormed(png, image);
    }

    [Theory]
    [InlineData(2000, 1000, 3, 1)]
    [InlineData(999, 1001, 4, 1)]
    [InlineData(640, 480, 1, 3)]
    public void SixteenBit_RoundTripsThroughOpenCvPixelForPixel(int width, int height, int channels, int level)
    {
        using var image = Photo(width, height, MatType.MakeType(MatType.CV_16U, channels));
        byte[] png = PngEncoder.Encode(image, level);
        AssertSameAfterDecoding(image, png);
        AssertWellFormed(png, image);
    }

    [Fact]
    public void ImageEncoder_UsesIt_AndMatchesOpenCvsOwnPngPixelForPixel()
    {
        using var image = Photo(1200, 800, MatType.CV_8UC3);
        byte[] ours = ImageEncoder.Encode(image, OutputFormat.Png);
        Cv2.ImEncode(".png", image, out byte[] theirs, [(int)ImwriteFlags.PngCompression, 1]);
        using var a = Cv2.ImDecode(ours, ImreadModes.Unchanged);
        using var b = Cv2.ImDecode(theirs, ImreadModes.Unchanged);
        Assert.Equal(0, Cv2.Norm(a, b, NormTypes.INF));
        // Our writer puts a zlib header in an IDAT of its own; OpenCV's does not: that tells them apart.
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(33)));
    }

    [Fact]
    public void AdlerCombination_MatchesTheWholeChecksum()
    {
        var data = new byte[100_003];
        new Random(5).NextBytes(data);
        uint whole = PngEncoder.Adler32(data);
        uint combined = PngEncoder.CombineAdler32(PngEncoder.Adler32(data.AsSpan(0, 40_000)), PngEncoder.Adler32(data.AsSpan(40_000)), 60_003);
        Assert.Equal(whole, combined);
        Assert.Equal(0x11E60398u, PngEncoder.Adler32("Wikipedia"u8));
    }

    private static void AssertSameAfterDecoding(Mat expected, byte[] png)
    {
        Assert.Equal(ImageFormat.Png, ImageFormatDetector.Detect(png));
        using var decoded = Cv2.ImDecode(png, ImreadModes.Unchanged);
        Assert.Equal(expected.Size(), decoded.Size());
        Assert.Equal(expected.Type(), decoded.Type());
        Assert.Equal(0, Cv2.Norm(expected, decoded, NormTypes.INF));
    }

    // Checked without libpng: every chunk's CRC, and the IDAT data inflated by .NET's zlib (which verifies the
    // Adler-32) to exactly the filtered rows' length.
    private static void AssertWellFormed(byte[] png, Mat image)
    {
        int at = 8;
        using var idat = new MemoryStream();
        var types = new List<string>();
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var typeAndData = png.AsSpan(at + 4, 4 + length);
            string type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            types.Add(type);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)), Crc32.HashToUInt32(typeAndData));
            if (type == "IDAT")
                idat.Write(typeAndData[4..]);
            at += 12 + length;
        }
        Assert.Equal(png.Length, at);
        Assert.Equal("IHDR", types[0]);
        Assert.Equal("IEND", types[^1]);
        idat.Position = 0;
        using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
        using var rows = new MemoryStream();
        inflate.CopyTo(rows);
        Assert.Equal((long)image.Rows * (1 + image.Cols * image.ElemSize()), rows.Length);
    }
}
