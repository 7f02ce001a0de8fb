using System.Net;
using Colorizer.Core.Guidance;
using Colorizer.Testing;
using Colorizer.Web.Api;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Colorizer.Web.Tests.Infrastructure.ApiRequests;

namespace Colorizer.Web.Tests.Api;

/// <summary>The app over a real Kestrel socket with a 20 KB upload limit and a 1-megapixel image limit.</summary>
public sealed class SmallLimitsWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Upload:MaxFileBytes"] = SmallLimitsWebFactory.MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Colorizer:MaxPixels"] = "1000000",
}, kestrel: true)
{
    public const int MaxFileBytes = 20 * 1024;
}

/// <summary>Request-size and image-size limits, end to end through Kestrel.</summary>
public sealed class ColorizeApiLimitsTests(SmallLimitsWebFactory factory) : IClassFixture<SmallLimitsWebFactory>
{
    /// <summary>Bytes that are not an image at all: a limit must refuse them before anything tries to decode them.</summary>
    private static byte[] Filler(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void KestrelAndTheMultipartReader_TakeTheirLimitsFromUploadMaxFileBytes()
    {
        var kestrel = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        var form = factory.Services.GetRequiredService<IOptions<FormOptions>>().Value;

        // The image and a reference photo, each up to the file limit, and the hints.
        Assert.Equal(2 * SmallLimitsWebFactory.MaxFileBytes + HintsJson.MaxBytes + UploadLimits.MultipartAllowanceBytes, kestrel.Limits.MaxRequestBodySize);
        Assert.Equal(SmallLimitsWebFactory.MaxFileBytes, form.MultipartBodyLengthLimit);
    }

    [Fact]
    public async Task PostColorize_AcceptsAFileUnderTheLimit()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(120, 90);
        byte[] png = TestImages.Encode(grey, ".png");
        Assert.InRange(png.Length, 1, SmallLimitsWebFactory.MaxFileBytes);

        using var response = await client.PostColorizeAsync(png);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
    }

    // Just over the file limit (within Kestrel's body limit, so the multipart reader refuses it) and far over
    // (Kestrel refuses the body itself); each with a Content-Length and chunked.
    [Theory]
    [InlineData(SmallLimitsWebFactory.MaxFileBytes + 1, false)]
    [InlineData(SmallLimitsWebFactory.MaxFileBytes + 1, true)]
    [InlineData(SmallLimitsWebFactory.MaxFileBytes * 3, false)]
    [InlineData(SmallLimitsWebFactory.MaxFileBytes * 2 + HintsJson.MaxBytes + 64 * 1024, false)]
    [InlineData(SmallLimitsWebFactory.MaxFileBytes * 2 + HintsJson.MaxBytes + 64 * 1024, true)]
    public async Task PostColorize_Returns413_ForAFileOverTheLimit(int fileBytes, bool chunked)
    {
        using var client = await factory.CreateReadyClientAsync();
        using var form = Form(Filler(fileBytes), "big.jpg");
        using HttpContent body = chunked ? new UnknownLengthContent(form) : form;
        using var request = new HttpRequestMessage(HttpMethod.Post, ColorizeUri()) { Content = body };

        using var response = await client.SendAsync(request);

        Assert.Equal(chunked, request.Headers.TransferEncodingChunked == true);
        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("20 KB", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostColorize_Returns413_ForAReferencePhotoOverTheFileLimit()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(60, 40);

        using var response = await client.PostGuidedAsync(TestImages.Encode(grey, ".png"), reference: Filler(SmallLimitsWebFactory.MaxFileBytes + 1));

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("20 KB", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostColorize_Returns422_ForAnImageWithTooManyPixels()
    {
        using var client = await factory.CreateReadyClientAsync();
        // 1.2 megapixels of one grey: a few hundred bytes as PNG, far under the file limit.
        using var flat = TestImages.Flat(1200, 1000, 128);
        byte[] png = TestImages.Encode(flat, ".png");
        Assert.InRange(png.Length, 1, SmallLimitsWebFactory.MaxFileBytes);

        using var response = await client.PostColorizeAsync(png);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("megapixels", problem.Detail, StringComparison.Ordinal);
    }
}
