using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Xmp;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>The page's downloads: the upload's metadata as the session's choice says, TIFF among the formats.</summary>
public sealed class ColorizationSessionMetadataTests(SmallQueueWebFactory factory) : IClassFixture<SmallQueueWebFactory>, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData(MetadataMode.Keep, true, true)]
    [InlineData(MetadataMode.StripLocation, true, false)]
    [InlineData(MetadataMode.Strip, false, false)]
    public async Task Download_KeepsWhatTheChoiceSays_AndIsMarked(MetadataMode mode, bool camera, bool location)
    {
        using var session = await UploadSessions.CreateAsync(factory);
        byte[] upload = await File.ReadAllBytesAsync(MetadataSamples.Write(_directory.Path, ".jpg"));
        await session.UploadAsync([new FakeBrowserFile("scan.jpg", upload)]);
        await Waiting.UntilAsync(() => session.Items.All(i => i.Status == GalleryItemStatus.Done), "the photo", TimeSpan.FromSeconds(30));

        session.Metadata = mode;
        byte[] download = await session.EncodeAsync(session.Items[0], OutputFormat.Tiff);

        Assert.Equal(ImageFormat.Tiff, ImageFormatDetector.Detect(download));
        var directories = ImageMetadataReader.ReadMetadata(new MemoryStream(download));
        var ifd0 = directories.OfType<ExifIfd0Directory>().Single();
        Assert.Equal(camera, ifd0.GetString(ExifDirectoryBase.TagMake) == MetadataSamples.Make);
        Assert.Equal(location, directories.OfType<GpsDirectory>().Any());
        Assert.Equal(ColorizationMark.ProductVersion, ifd0.GetString(ExifDirectoryBase.TagSoftware));
        Assert.Contains(directories.OfType<XmpDirectory>().Single().XmpMeta!.Properties, p => p.Path == "colorizer:Colorized" && p.Value == "True");
    }

    public void Dispose() => _directory.Dispose();
}
