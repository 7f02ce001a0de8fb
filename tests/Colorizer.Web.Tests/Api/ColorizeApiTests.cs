using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Colorizer.Testing;
using Colorizer.Web.Api;
using Colorizer.Web.Tests.Infrastructure;
using static Colorizer.Web.Tests.Infrastructure.ApiRequests;

namespace Colorizer.Web.Tests.Api;

/// <summary><c>POST /api/colorize</c> against a ready tiny model that paints every pixel (a, b) = (20, 30).</summary>
public sealed class ColorizeApiTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    private const int Width = 96;
    private const int Height = 64;

    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegMagic = [0xFF, 0xD8, 0xFF];

    private static byte[] GreyPng()
    {
        using var grey = TestImages.Gradient(Width, Height, 60, 190);
        return TestImages.Encode(grey, ".png");
    }

    [Fact]
    public async Task PostColorize_ReturnsPng_ByDefault()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(PngMagic, body.Take(PngMagic.Length));
        using var image = ImageAssertions.Decode(body);
        Assert.Equal((Width, Height), (image.Width, image.Height));
        // The tiny model's colour, not the grey that came in.
        var (a, b) = ImageAssertions.MeanAb(image);
        Assert.InRange(a, 15, 25);
        Assert.InRange(b, 25, 35);
    }

    [Theory]
    [InlineData("png", "image/png", ".png")]
    [InlineData("jpeg", "image/jpeg", ".jpg")]
    [InlineData("jpg", "image/jpeg", ".jpg")]
    [InlineData("JPEG", "image/jpeg", ".jpg")]
    [InlineData("webp", "image/webp", ".webp")]
    [InlineData("tiff", "image/tiff", ".tif")]
    [InlineData("tif", "image/tiff", ".tif")]
    public async Task PostColorize_ReturnsTheRequestedFormat_InColorAndAtFullSize(string format, string contentType, string extension)
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng(), $"format={format}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("photo-colorized" + extension, response.Content.Headers.ContentDisposition?.FileName);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        switch (extension)
        {
            case ".png":
                Assert.Equal(PngMagic, body.Take(PngMagic.Length));
                break;
            case ".jpg":
                Assert.Equal(JpegMagic, body.Take(JpegMagic.Length));
                break;
            case ".tif":
                Assert.Equal("II*\0", Encoding.ASCII.GetString(body, 0, 4));
                break;
            default:
                Assert.Equal("RIFF", Encoding.ASCII.GetString(body, 0, 4));
                Assert.Equal("WEBP", Encoding.ASCII.GetString(body, 8, 4));
                break;
        }
        using var image = ImageAssertions.Decode(body);
        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.InRange(ImageAssertions.MeanChroma(image), 25, 50);
    }

    [Fact]
    public async Task PostColorize_WithSaturationZero_ReturnsTheGreyInput()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng(), "saturation=0&temperature=0.5&renderSize=256");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((Width, Height), (image.Width, image.Height));
        Assert.InRange(ImageAssertions.MeanChroma(image), 0, 1.0);
    }

    [Fact]
    public async Task PostColorize_SaysWhetherTheInputWasAlreadyInColor()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var colorful = TestImages.Colorful(Width, Height);

        using var fromGrey = await client.PostColorizeAsync(GreyPng());
        using var fromColor = await client.PostColorizeAsync(TestImages.Encode(colorful, ".png"));

        Assert.Equal(HttpStatusCode.OK, fromGrey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromColor.StatusCode);
        Assert.Equal("false", Assert.Single(fromGrey.Headers.GetValues(ColorizeApi.InputHadColorHeader)));
        Assert.Equal("true", Assert.Single(fromColor.Headers.GetValues(ColorizeApi.InputHadColorHeader)));
    }

    [Theory]
    [InlineData("holiday.png", "holiday-colorized.png")]
    [InlineData("../../etc/passwd", "passwd-colorized.png")]
    [InlineData(@"C:\Users\me\My Photos\Grand-père 1952.tif", "Grand-père_1952-colorized.png")]
    [InlineData("a;b=c\".png", "a_b_c-colorized.png")]
    [InlineData("...", "image-colorized.png")]
    public async Task PostColorize_NamesTheAttachmentAfterTheUpload_Sanitized(string uploadedName, string expected)
    {
        using var client = await factory.CreateReadyClientAsync();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(GreyPng());
        // Set by hand: the client's own quoting would otherwise tidy the name before the server sees it.
        part.Headers.TryAddWithoutValidation("Content-Disposition",
            $"form-data; name=\"file\"; filename*=UTF-8''{Uri.EscapeDataString(uploadedName)}");
        form.Add(part);

        using var response = await client.PostAsync(ColorizeUri(), form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.NotNull(disposition);
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal(expected, disposition.FileNameStar ?? disposition.FileName);
        // What goes on the wire is ASCII only.
        string raw = string.Join(",", response.Content.Headers.GetValues("Content-Disposition"));
        Assert.All(raw, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public async Task PostColorize_Returns400_ForATruncatedPng()
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] png = GreyPng();

        using var response = await client.PostColorizeAsync(png[..(png.Length / 2)]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("PNG", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostColorize_Returns400_ForAnEmptyFile()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync([]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("empty", problem.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PostColorize_Returns400_WhenTheFileFieldIsMissing()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostAsync(ColorizeUri(), Form(GreyPng(), field: "image"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'file'", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("'image'", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostColorize_Returns400_WhenTheFileFieldIsText()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var form = new MultipartFormDataContent { { new StringContent("photo.jpg"), "file" } };

        using var response = await client.PostAsync(ColorizeUri(), form);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("text, not a file", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("raw PNG bytes")]
    [InlineData("JSON")]
    [InlineData("URL-encoded form")]
    [InlineData("no body")]
    public async Task PostColorize_Returns400_WhenTheBodyIsNotMultipart(string body)
    {
        using var client = await factory.CreateReadyClientAsync();
        using HttpContent? content = body switch
        {
            "raw PNG bytes" => new ByteArrayContent(GreyPng()) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } },
            "JSON" => new StringContent("""{"file":"photo.png"}""", Encoding.UTF8, "application/json"),
            "URL-encoded form" => new FormUrlEncodedContent([new("file", "photo.png")]),
            _ => null,
        };

        using var response = await client.PostAsync(ColorizeUri(), content);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("multipart/form-data", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostColorize_Returns400_WhenTheMultipartBodyIsCutShort()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var form = Form(GreyPng());
        byte[] whole = await form.ReadAsByteArrayAsync();
        using var cut = new ByteArrayContent(whole[..(whole.Length - 100)]);
        cut.Headers.ContentType = form.Headers.ContentType;

        using var response = await client.PostAsync(ColorizeUri(), cut);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PostColorize_Returns415_ForTextNamedJpg()
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] text = Encoding.UTF8.GetBytes("These are holiday notes, not a photo.\n");

        using var response = await client.PostAsync(ColorizeUri(), Form(text, "holiday.jpg", mediaType: "image/jpeg"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task PostColorize_Returns415_ForAGif()
    {
        using var client = await factory.CreateReadyClientAsync();
        // A 1×1 GIF89a.
        byte[] gif =
        [
            0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
            0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
        ];

        using var response = await client.PostAsync(ColorizeUri(), Form(gif, "anim.png", mediaType: "image/png"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("GIF", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("temperature=0", "temperature")]
    [InlineData("temperature=1.5", "temperature")]
    [InlineData("temperature=-0.2", "temperature")]
    [InlineData("temperature=warm", "temperature")]
    [InlineData("temperature=NaN", "temperature")]
    [InlineData("saturation=-1", "saturation")]
    [InlineData("saturation=2.5", "saturation")]
    [InlineData("saturation=lots", "saturation")]
    [InlineData("renderSize=100", "renderSize")]
    [InlineData("renderSize=2048", "renderSize")]
    [InlineData("renderSize=225", "renderSize")]
    [InlineData("renderSize=224.5", "renderSize")]
    [InlineData("format=gif", "format")]
    [InlineData("format=bmp", "format")]
    [InlineData("metadata=drop", "metadata")]
    [InlineData("metadata=strip-gps", "metadata")]
    [InlineData("restore=dust,fog", "restore")]
    [InlineData("restore=noise&restoreStrength=2", "restoreStrength")]
    [InlineData("restore=noise&restoreStrength=strong", "restoreStrength")]
    public async Task PostColorize_Returns422_NamingTheBadParameter(string query, string parameter)
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng(), query);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"'{parameter}'", problem.Detail, StringComparison.Ordinal);
        Assert.Equal([parameter], problem.Errors.Keys);
    }

    [Fact]
    public async Task PostColorize_TakesTheDefaults_ForEmptyParameters()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng(), "temperature=&saturation=&renderSize=&format=");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetHealth_Returns200_WhenTheModelIsReady()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/colorize")]
    [InlineData("POST", "/api/no-such-thing")]
    public async Task UnknownApiRoutes_AnswerWithProblemJson_NotTheHtmlNotFoundPage(string method, string path)
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{(int)response.StatusCode}");
        await AssertProblemAsync(response, response.StatusCode);
    }

    [Fact]
    public async Task PagesOutsideTheApi_KeepTheSitesHtml()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var home = await client.GetAsync("/");
        using var missing = await client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal("text/html", home.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("text/html", missing.Content.Headers.ContentType?.MediaType);
    }
}
