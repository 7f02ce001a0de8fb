using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public sealed class TiffOutputTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData(TiffCompression.Deflate, "8")]
    [InlineData(TiffCompression.Lzw, "5")]
    public void Encode_IsLosslessWithTheChosenCompression(TiffCompression compression, string code)
    {
        using var image = TestImages.Colorful(97, 61);
        byte[] tiff = ImageEncoder.Encode(image, OutputFormat.Tiff, EncoderOptions.Default with { TiffCompression = compression });

        using var decoded = Cv2.ImDecode(tiff, ImreadModes.Unchanged);
        Assert.Equal(image.Type(), decoded.Type());
        Assert.Equal(0, Cv2.Norm(image, decoded, NormTypes.INF));
        string path = Path.Combine(_directory.Path, "out.tif");
        File.WriteAllBytes(path, tiff);
        Assert.Equal(code, ExifTool.Read(path)["IFD0:Compression"]);
    }

    [Fact]
    public void Encode_KeepsAlphaAndSixteenBits()
    {
        using var colour = TestImages.Colorful(40, 30);
        using var deep = new Mat();
        colour.ConvertTo(deep, MatType.CV_16UC3, 257);
        using var alpha = new Mat(30, 40, MatType.CV_16UC1, Scalar.All(0));
        Cv2.Rectangle(alpha, new Rect(0, 0, 20, 30), Scalar.All(40000), -1);
        using var bgra = new Mat();
        Cv2.Merge([.. Cv2.Split(deep), alpha], bgra);

        using var decoded = Cv2.ImDecode(ImageEncoder.Encode(bgra, OutputFormat.Tiff), ImreadModes.Unchanged);

        Assert.Equal(MatType.CV_16UC4, decoded.Type());
        Assert.Equal(0, Cv2.Norm(bgra, decoded, NormTypes.INF));
    }

    [Theory]
    [InlineData("tiff")]
    [InlineData("TIF")]
    [InlineData(".tif")]
    public void TryParseFormat_TakesTiffNames(string name)
    {
        Assert.True(ImageEncoder.TryParseFormat(name, out var format));
        Assert.Equal(OutputFormat.Tiff, format);
        Assert.Equal(".tif", ImageEncoder.Extension(format));
        Assert.Equal("image/tiff", ImageEncoder.ContentType(format));
    }

    public void Dispose() => _directory.Dispose();
}
