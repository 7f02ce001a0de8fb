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

    public void Dispose() => _directory.Dispose();
}
