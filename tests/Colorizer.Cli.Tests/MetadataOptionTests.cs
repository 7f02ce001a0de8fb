using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Cli.Tests;

/// <summary><c>--metadata</c>, <c>--format tiff</c> and <c>--tiff-compression</c>, read back with exiftool.</summary>
public sealed class MetadataOptionTests : IDisposable
{
    private readonly CliFolders _folders = new();
    private string Models => _folders.Models;

    private string Inputs => _folders.Inputs;

    private string Output => _folders.Output;

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task DefaultRun_KeepsTheMetadataAndMarksTheResult()
    {
        MetadataSamples.Write(Inputs, ".jpg");
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models);
        Assert.Equal(0, run.ExitCode);
        var tags = ExifTool.Read(Path.Combine(Output, "sample.jpg"));
        Assert.Equal(MetadataSamples.Make, tags["IFD0:Make"]);
        Assert.Equal("48.85", tags["GPS:GPSLatitude"]);
        Assert.StartsWith("Colorizer ", tags["IFD0:Software"]);
        Assert.Equal("true", tags["XMP-colorizer:Colorized"]);
    }

    [Theory]
    [InlineData("strip", false, false)]
    [InlineData("strip-location", true, false)]
    [InlineData("keep", true, true)]
    public async Task Metadata_KeepsWhatItSays(string mode, bool camera, bool location)
    {
        MetadataSamples.Write(Inputs, ".tif");
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models, "--metadata", mode);
        Assert.Equal(0, run.ExitCode);
        var tags = ExifTool.Read(Path.Combine(Output, "sample.tif"));
        Assert.Equal(camera, tags.ContainsKey("IFD0:Make"));
        Assert.Equal(camera, tags.ContainsKey("IPTC:Caption-Abstract"));
        Assert.Equal(location, tags.ContainsKey("GPS:GPSLatitude"));
        Assert.Equal("true", tags["XMP-colorizer:Colorized"]);
    }

    [Fact]
    public async Task UnknownMetadataMode_IsAUsageError()
    {
        MetadataSamples.Write(Inputs, ".jpg");
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models, "--metadata", "drop");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("drop", run.Error);
        Assert.False(Directory.Exists(Output) && Directory.EnumerateFiles(Output).Any());
    }

    [Theory]
    [InlineData("deflate", "8")]
    [InlineData("lzw", "5")]
    public async Task FormatTiff_WritesTheChosenCompression(string compression, string code)
    {
        using (var image = TestImages.Grey(30, 20))
            File.WriteAllBytes(Path.Combine(Inputs, "a.png"), TestImages.Encode(image, ".png"));
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models, "--format", "tiff", "--tiff-compression", compression);
        Assert.Equal(0, run.ExitCode);
        string path = Path.Combine(Output, "a.tif");
        Assert.Equal(ImageFormat.Tiff, ImageFormatDetector.Detect(File.ReadAllBytes(path)));
        Assert.Equal(code, ExifTool.Read(path)["IFD0:Compression"]);
        using var written = Cv2.ImRead(path, ImreadModes.Unchanged);
        Assert.Equal(new Size(30, 20), written.Size());
    }

    [Fact]
    public async Task SixteenBitTiff_StaysSixteenBitTiff()
    {
        using (var grey = TestImages.Gradient(32, 24, 10, 240))
        using (var deep = new Mat())
        {
            grey.ConvertTo(deep, MatType.CV_16UC1, 257);
            File.WriteAllBytes(Path.Combine(Inputs, "deep.tif"), TestImages.Encode(deep, ".tiff"));
        }
        var run = await CliRun.ExecuteAsync("colorize", Inputs, "-o", Output, "--models", Models);
        Assert.Equal(0, run.ExitCode);
        using var written = Cv2.ImRead(Path.Combine(Output, "deep.tif"), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC3, written.Type());
    }
}
