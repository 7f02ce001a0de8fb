using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Api;

/// <summary><c>metadata=</c> and <c>format=tiff</c> on <c>POST /api/colorize</c>, the answers read back with exiftool.</summary>
public sealed class ColorizeApiMetadataTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData("", true, true)]
    [InlineData("metadata=keep", true, true)]
    [InlineData("metadata=strip-location", true, false)]
    [InlineData("metadata=STRIP", false, false)]
    public async Task PostColorize_KeepsTheMetadataTheParameterSays(string query, bool camera, bool location)
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] upload = await File.ReadAllBytesAsync(MetadataSamples.Write(_directory.Path, ".jpg"));

        using var response = await client.PostColorizeAsync(upload, query + (query.Length > 0 ? "&" : "") + "format=tiff", "scan.jpg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/tiff", response.Content.Headers.ContentType?.MediaType);
        string path = Path.Combine(_directory.Path, "answer.tif");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        var tags = ExifTool.Read(path);
        Assert.Equal(camera, tags.ContainsKey("IFD0:Make"));
        Assert.Equal(camera, tags.ContainsKey("XMP-dc:Title"));
        Assert.Equal(location, tags.ContainsKey("GPS:GPSLatitude"));
        Assert.StartsWith("Colorizer ", tags["IFD0:Software"]);
        Assert.Equal("true", tags["XMP-colorizer:Colorized"]);
        Assert.Equal("0", tags["XMP-colorizer:Hints"]);
    }

    [Fact]
    public async Task PostColorize_WithRestore_RepairsAndRecordsIt()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var clean = DamagedPhotos.Clean(320, 240);
        using var specked = DamagedPhotos.WithSpecks(clean, 120);

        using var response = await client.PostColorizeAsync(TestImages.Encode(specked, ".png"), "restore=dust,contrast&restoreStrength=0.25");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        using var decoded = OpenCvSharp.Cv2.ImDecode(body, OpenCvSharp.ImreadModes.Grayscale);
        Assert.True(OpenCvSharp.Cv2.PSNR(clean, decoded) - OpenCvSharp.Cv2.PSNR(clean, specked) >= 5);
        string path = Path.Combine(_directory.Path, "restored.png");
        await File.WriteAllBytesAsync(path, body);
        Assert.Equal("dust,contrast (strength 0.25)", ExifTool.Read(path)["XMP-colorizer:Restoration"]);
    }

    public void Dispose() => _directory.Dispose();
}
