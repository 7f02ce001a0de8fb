using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Xmp;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging.Metadata;

/// <summary>
/// Metadata written by exiftool into JPEG, PNG, WebP and TIFF inputs comes out of every output format, read back by
/// exiftool and MetadataExtractor (neither shares code with Colorizer's writer).
/// </summary>
public sealed class MetadataRoundTripTests : IDisposable
{
    private static readonly int OrangeBin = SyntheticModels.BinAt(20, 30);
    private readonly TemporaryDirectory _directory = new();
    private readonly TinyEngine _tiny = new(TinyModel.ConstantBin(OrangeBin));

    public static TheoryData<string, OutputFormat> InputsAndOutputs()
    {
        var data = new TheoryData<string, OutputFormat>();
        foreach (var input in new[] { ".jpg", ".png", ".webp", ".tif" })
        {
            foreach (var output in Enum.GetValues<OutputFormat>())
                data.Add(input, output);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(InputsAndOutputs))]
    public async Task Keep_CarriesEveryKindOfMetadataIntoEveryFormat(string input, OutputFormat output)
    {
        var (tags, bytes) = await ColorizeAsync(input, output, MetadataMode.Keep);

        Assert.Equal(MetadataSamples.Make, tags["IFD0:Make"]);
        Assert.Equal(MetadataSamples.Model, tags["IFD0:Model"]);
        Assert.Equal(MetadataSamples.Artist, tags["IFD0:Artist"]);
        Assert.Equal(MetadataSamples.DateTimeOriginal, tags["ExifIFD:DateTimeOriginal"]);
        Assert.Equal("1", tags["IFD0:Orientation"]);
        Assert.StartsWith("Colorizer ", tags["IFD0:Software"]);
        Assert.DoesNotContain(tags.Keys, k => k.StartsWith("IFD1:", StringComparison.Ordinal));
        Assert.Equal("48.85", tags["GPS:GPSLatitude"]);
        Assert.Equal("2.35", tags["GPS:GPSLongitude"]);
        Assert.Equal(MetadataSamples.Title, tags["XMP-dc:Title"]);
        Assert.Equal("48.85", tags["XMP-exif:GPSLatitude"]);
        Assert.Equal("True", tags["XMP-colorizer:Colorized"], ignoreCase: true);
        Assert.Equal(MetadataSamples.ProfileCopyright, tags["ICC_Profile:ProfileCopyright"]);
        if (input is ".jpg" or ".tif" && output is OutputFormat.Jpeg or OutputFormat.Tiff)
            Assert.Equal(MetadataSamples.Caption, tags["IPTC:Caption-Abstract"]);
        Assert.Equal(MetadataSamples.Dpi, ResolutionOf(tags, output), 0.5);

        // The rotation is applied and the pixels say so: 64×48 stored, 48×64 upright.
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged | ImreadModes.IgnoreOrientation);
        Assert.Equal((MetadataSamples.Height, MetadataSamples.Width), (decoded.Cols, decoded.Rows));

        // A second reader, in-process.
        var directories = ImageMetadataReader.ReadMetadata(new MemoryStream(bytes));
        var ifd0 = directories.OfType<ExifIfd0Directory>().Single();
        Assert.Equal(ColorizationMark.ProductVersion, ifd0.GetString(ExifDirectoryBase.TagSoftware));
        Assert.Equal(1, ifd0.GetInt32(ExifDirectoryBase.TagOrientation));
        Assert.Single(directories.OfType<GpsDirectory>());
        Assert.Empty(directories.OfType<ExifThumbnailDirectory>());
        var xmp = directories.OfType<XmpDirectory>().Single();
        Assert.Contains(xmp.XmpMeta!.Properties, p => p.Path == "colorizer:Colorized" && p.Value == "True");
    }

    [Theory]
    [InlineData(".jpg", OutputFormat.Png)]
    [InlineData(".tif", OutputFormat.Jpeg)]
    [InlineData(".png", OutputFormat.Tiff)]
    [InlineData(".webp", OutputFormat.WebP)]
    public async Task StripLocation_DropsGpsAndKeepsTheRest(string input, OutputFormat output)
    {
        var (tags, bytes) = await ColorizeAsync(input, output, MetadataMode.StripLocation);

        Assert.DoesNotContain(tags.Keys, k => k.StartsWith("GPS:", StringComparison.Ordinal) || k.Contains(":GPS", StringComparison.Ordinal));
        Assert.Equal(MetadataSamples.Make, tags["IFD0:Make"]);
        Assert.Equal(MetadataSamples.Title, tags["XMP-dc:Title"]);
        Assert.Equal("True", tags["XMP-colorizer:Colorized"], ignoreCase: true);
        // Not left behind as unreachable bytes either.
        Assert.Equal(-1, bytes.AsSpan().IndexOf("48,51"u8));
        Assert.Empty(ImageMetadataReader.ReadMetadata(new MemoryStream(bytes)).OfType<GpsDirectory>());
    }

    [Theory]
    [InlineData(".jpg", OutputFormat.Jpeg)]
    [InlineData(".png", OutputFormat.Png)]
    [InlineData(".webp", OutputFormat.Tiff)]
    [InlineData(".tif", OutputFormat.WebP)]
    public async Task Strip_LeavesOnlyTheColorizedMark(string input, OutputFormat output)
    {
        var (tags, bytes) = await ColorizeAsync(input, output, MetadataMode.Strip);

        Assert.StartsWith("Colorizer ", tags["IFD0:Software"]);
        Assert.Equal("True", tags["XMP-colorizer:Colorized"], ignoreCase: true);
        foreach (var gone in new[] { "IFD0:Make", "IFD0:Artist", "ExifIFD:DateTimeOriginal", "XMP-dc:Title", "ICC_Profile:ProfileCopyright", "IPTC:Caption-Abstract" })
            Assert.False(tags.ContainsKey(gone), $"{gone} is still there");
        Assert.DoesNotContain(tags.Keys, k => k.StartsWith("GPS:", StringComparison.Ordinal));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("Kodak"u8));
    }

    [Fact]
    public async Task Mark_NamesTheModelOptionsAndGuidance()
    {
        string path = MetadataSamples.Write(_directory.Path, ".png");
        using var result = await _tiny.Engine.ColorizeAsync(await File.ReadAllBytesAsync(path), new ColorizationOptions { Temperature = 0.3 });
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        var guidance = new ColorGuidance { Hints = [new ColorHint(5, 5, 3, new LabColor(50, 10, 10)), new ColorHint(20, 20, 3, new LabColor(50, -10, 10))] };
        byte[] bytes = result.Encode(OutputFormat.Jpeg, 0.3, 1.2, guidance: guidance);
        var tags = Read(bytes, OutputFormat.Jpeg);

        Assert.Equal("temperature=0.3; saturation=1.2; renderSize=224", tags["XMP-colorizer:Options"]);
        Assert.Equal("2", tags["XMP-colorizer:Hints"]);
        Assert.Equal("False", tags["XMP-colorizer:ReferencePhoto"], ignoreCase: true);
        Assert.StartsWith("eccv16: ", tags["XMP-colorizer:Model"]);
        Assert.Equal(ColorizationMark.ProductVersion, tags["XMP-colorizer:Software"]);
        var when = DateTimeOffset.ParseExact(tags["XMP-colorizer:ColorizedAt"], "yyyy:MM:dd HH:mm:ssK", null);
        Assert.InRange(when, before, DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.Contains("edited", tags["XMP-xmpMM:History"]);
    }

    [Fact]
    public async Task UntaggedInput_StillGetsTheMark()
    {
        using var grey = TestImages.Gradient(40, 30, 30, 200);
        using var result = await _tiny.Engine.ColorizeAsync(TestImages.Encode(grey, ".bmp"));
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            var tags = Read(result.Encode(format), format);
            Assert.StartsWith("Colorizer ", tags["IFD0:Software"]);
            Assert.Equal("True", tags["XMP-colorizer:Colorized"], ignoreCase: true);
        }
    }

    [Fact]
    public async Task GreyProfile_IsNotPutOnAColourResult()
    {
        string path = MetadataSamples.Write(_directory.Path, ".jpg", profileColorSpace: "GRAY");
        using var result = await _tiny.Engine.ColorizeAsync(await File.ReadAllBytesAsync(path));
        var tags = Read(result.Encode(OutputFormat.Jpeg), OutputFormat.Jpeg);
        Assert.False(tags.ContainsKey("ICC_Profile:ProfileCopyright"));
        Assert.Equal(MetadataSamples.Make, tags["IFD0:Make"]);
    }

    [Theory]
    [InlineData(OutputFormat.Png)]
    [InlineData(OutputFormat.Tiff)]
    public async Task SixteenBitInput_GivesSixteenBitsWithItsMetadata(OutputFormat output)
    {
        string path = MetadataSamples.Write(_directory.Path, ".png", sixteenBit: true);
        using var result = await _tiny.Engine.ColorizeAsync(await File.ReadAllBytesAsync(path));
        byte[] bytes = result.Encode(output);
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC3, decoded.Type());
        var tags = Read(bytes, output);
        Assert.Equal(MetadataSamples.Make, tags["IFD0:Make"]);
        Assert.Equal(output == OutputFormat.Png ? "16" : "16 16 16", tags[output == OutputFormat.Png ? "PNG:BitDepth" : "IFD0:BitsPerSample"]);
    }

    [Theory]
    [InlineData(OutputFormat.Tiff)]
    [InlineData(OutputFormat.Jpeg)]
    [InlineData(OutputFormat.Png)]
    [InlineData(OutputFormat.WebP)]
    public async Task Output_ReadsCleanlyInImageMagick(OutputFormat output)
    {
        var (_, bytes) = await ColorizeAsync(".jpg", output, MetadataMode.Keep);
        string path = Path.Combine(_directory.Path, "magick" + ImageEncoder.Extension(output));
        File.WriteAllBytes(path, bytes);
        var start = new System.Diagnostics.ProcessStartInfo("identify", ["-verbose", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var identify = System.Diagnostics.Process.Start(start)!;
        var report = identify.StandardOutput.ReadToEndAsync();
        string warnings = await identify.StandardError.ReadToEndAsync();
        await identify.WaitForExitAsync();

        Assert.Equal(0, identify.ExitCode);
        // libtiff, libpng, libjpeg and libwebp under ImageMagick find nothing wrong with the containers. ImageMagick 6
        // calls any WebP's XMP corrupt (an exiftool-written one too), so that one warning is allowed there.
        if (output == OutputFormat.WebP)
            warnings = string.Join('\n', warnings.Split('\n').Where(l => !l.Contains("CorruptImageProfile", StringComparison.Ordinal) && l.Length > 0));
        Assert.Equal("", warnings);
        Assert.Contains($"Geometry: {MetadataSamples.Height}x{MetadataSamples.Width}", await report);
        Assert.Contains($"icc:copyright: {MetadataSamples.ProfileCopyright}", await report);
        // ImageMagick 6 does not read PNG's eXIf chunk.
        string? make = output switch
        {
            OutputFormat.Jpeg => "exif:Make: Kodak",
            OutputFormat.Tiff => "tiff:make: Kodak",
            OutputFormat.WebP => "Profile-exif: ",
            _ => null,
        };
        if (make is not null)
            Assert.Contains(make, await report);
    }

    [Fact]
    public async Task SaveAsync_WritesTheMetadataToo()
    {
        string path = MetadataSamples.Write(_directory.Path, ".jpg");
        using var result = await _tiny.Engine.ColorizeAsync(await File.ReadAllBytesAsync(path));
        string saved = Path.Combine(_directory.Path, "saved.png");
        await result.SaveAsync(saved, OutputFormat.Png);
        var tags = ExifTool.Read(saved);
        Assert.Equal(MetadataSamples.Make, tags["IFD0:Make"]);
        Assert.Equal("True", tags["XMP-colorizer:Colorized"], ignoreCase: true);
        Assert.Equal(result.Encode(OutputFormat.Png).Length, new FileInfo(saved).Length);
    }

    private async Task<(IReadOnlyDictionary<string, string> Tags, byte[] Bytes)> ColorizeAsync(string input, OutputFormat output, MetadataMode mode)
    {
        string path = MetadataSamples.Write(_directory.Path, input);
        using var result = await _tiny.Engine.ColorizeAsync(await File.ReadAllBytesAsync(path));
        byte[] bytes = result.Encode(output, EncoderOptions.Default with { Metadata = mode });
        return (Read(bytes, output), bytes);
    }

    private IReadOnlyDictionary<string, string> Read(byte[] bytes, OutputFormat format)
    {
        string path = Path.Combine(_directory.Path, "out-" + Guid.NewGuid().ToString("N") + ImageEncoder.Extension(format));
        File.WriteAllBytes(path, bytes);
        return ExifTool.Read(path);
    }

    private static double ResolutionOf(IReadOnlyDictionary<string, string> tags, OutputFormat format) => format switch
    {
        OutputFormat.Png => double.Parse(tags["PNG-pHYs:PixelsPerUnitX"], System.Globalization.CultureInfo.InvariantCulture) * 0.0254,
        OutputFormat.Jpeg => double.Parse(tags["JFIF:XResolution"], System.Globalization.CultureInfo.InvariantCulture),
        _ => double.Parse(tags["IFD0:XResolution"], System.Globalization.CultureInfo.InvariantCulture),
    };

    public void Dispose()
    {
        _tiny.Dispose();
        _directory.Dispose();
    }
}
