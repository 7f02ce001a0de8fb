using System.Net;
using System.Net.Http.Headers;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using OpenCvSharp;
using static Colorizer.Web.Tests.Infrastructure.ApiRequests;

namespace Colorizer.Web.Tests.Api;

/// <summary>
/// Files that lie about what they are, sent the way a browser would send a photo (<c>photo.jpg</c>, <c>image/jpeg</c>):
/// the type is judged by content only; everything that is not a readable JPEG, PNG, WebP, BMP or TIFF is a 4xx
/// problem that says why, never a 500. Also animated and CMYK files, and hostile file names.
/// </summary>
public sealed class ColorizeApiHostileInputTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    public static TheoryData<string> UnsupportedNames => [.. HostileFiles.Unsupported.Keys];

    public static TheoryData<string> UndecodableNames => [.. HostileFiles.Undecodable.Keys];

    public static TheoryData<string> TooComplexNames => [.. HostileFiles.TooComplex.Keys];

    public static TheoryData<string> HeavyNames => [.. HostileFiles.HeavyButOrdinary.Keys];

    private static Task<HttpResponseMessage> PostAsPhotoJpg(HttpClient client, byte[] file, string query = "") =>
        client.PostAsync(ColorizeUri(query), Form(file, "photo.jpg", mediaType: "image/jpeg"));

    [Theory]
    [MemberData(nameof(UnsupportedNames))]
    public async Task OtherFormats_NamedPhotoJpg_Get415_SayingWhatTheyAre(string name)
    {
        using var client = await factory.CreateReadyClientAsync();
        var file = HostileFiles.Unsupported[name];

        using var response = await PostAsPhotoJpg(client, file.Bytes);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(file.Named, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UndecodableNames))]
    public async Task EmptyZeroSizedTruncatedAndCorruptFiles_Get400(string name)
    {
        using var client = await factory.CreateReadyClientAsync();
        var file = HostileFiles.Undecodable[name];

        using var response = await PostAsPhotoJpg(client, file.Bytes);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(file.Named, problem.Detail, StringComparison.Ordinal);
    }

    // Structures that would keep OpenCV's decoder busy for minutes (a 296 KB JPEG with 10,001 scans took 89 s) are
    // refused before decoding, with the count, the limit and the reason.
    [Theory]
    [MemberData(nameof(TooComplexNames))]
    public async Task FilesTooComplexToDecodeInTime_Get422_SayingHowManyTheLimitAndWhy(string name)
    {
        using var client = await factory.CreateReadyClientAsync();
        var file = HostileFiles.TooComplex[name];

        using var response = await PostAsPhotoJpg(client, file.Bytes);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("The image would take too long to decode", problem.Title);
        Assert.Contains(file.Named, problem.Detail, StringComparison.Ordinal);
        Assert.Contains("because", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReferencePhotoTooComplexToDecode_Gets422_WithErrorsReference()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(HostileFiles.Valid(".png"),
            reference: HostileFiles.TooComplex["progressive JPEG of 12 MP with 10,001 scans"].Bytes);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single(Assert.Contains("reference", problem.Errors));
        Assert.StartsWith("The reference photo cannot be used: The JPEG has 10,001 scans; at most 100", error, StringComparison.Ordinal);
    }

    // Metadata, chunks, strips, tiles and pages by the thousand were measured to decode in ordinary time: colorized.
    [Theory]
    [MemberData(nameof(HeavyNames))]
    public async Task HeavyFilesThatDecodeInOrdinaryTime_AreColorizedAtTheirSize(string name)
    {
        using var client = await factory.CreateReadyClientAsync();
        var file = HostileFiles.HeavyButOrdinary[name];

        using var response = await PostAsPhotoJpg(client, file.Bytes);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((file.Width, file.Height), (image.Width, image.Height));
    }

    // libjpeg conceals damaged entropy-coded data as every viewer does, so such a photo is colorized as it shows.
    [Fact]
    public async Task AJpegWithDamagedScanData_IsColorizedAsViewersShowIt()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await PostAsPhotoJpg(client, HostileFiles.JpegWithCorruptScan());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((64, 48), (image.Width, image.Height));
    }

    [Theory]
    [InlineData("APNG", false)]
    [InlineData("APNG", true)]
    [InlineData("animated WebP", false)]
    [InlineData("animated WebP", true)]
    public async Task AnimatedFiles_AreColorizedFromTheirFirstFrame(string kind, bool whiteFirst)
    {
        using var client = await factory.CreateReadyClientAsync();
        using var black = new Mat(30, 40, MatType.CV_8UC3, OpenCvSharp.Scalar.All(0));
        using var white = new Mat(30, 40, MatType.CV_8UC3, OpenCvSharp.Scalar.All(255));
        var (first, second) = whiteFirst ? (white, black) : (black, white);
        byte[] animation = kind == "APNG" ? AnimatedImages.Apng(first, second) : AnimatedImages.WebP(first, second);

        using var response = await client.PostColorizeAsync(animation, fileName: "animation.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((40, 30), (image.Width, image.Height));
        // L is kept, but the model's orange is out of gamut at the extremes, so black and white move a few units.
        double lightness = MeanLightness(image);
        if (whiteFirst)
            Assert.InRange(lightness, 85, 100.5);
        else
            Assert.InRange(lightness, -0.5, 15);
    }

    [Theory]
    [InlineData("hand-built CMYK (Adobe)")]
    [InlineData("hand-built YCCK (Adobe)")]
    [InlineData("ImageMagick")]
    public async Task CmykJpegs_AreColorizedWithTheirTrueLightness(string source)
    {
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(64, 48);
        byte[] cmyk;
        switch (source)
        {
            case "ImageMagick":
                Assert.True(ImageMagick.Version is not null, ImageMagick.Missing);
                cmyk = ImageMagick.Convert(TestImages.Encode(grey, ".png"), ".png", ".jpg", "-colorspace", "CMYK", "-quality", "95");
                break;
            case "hand-built YCCK (Adobe)":
                cmyk = CmykJpeg.FromGrey(grey, CmykJpegKind.AdobeYcck);
                break;
            default:
                cmyk = CmykJpeg.FromGrey(grey, CmykJpegKind.AdobeCmyk);
                break;
        }

        using var response = await PostAsPhotoJpg(client, cmyk);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((64, 48), (image.Width, image.Height));
        // The result keeps the input's lightness exactly, so it shows whether the CMYK was read right.
        Assert.InRange(Math.Abs(MeanLightness(image) - MeanLightness(grey)), 0, 1.5);
        Assert.InRange(ImageAssertions.MeanChroma(image), 20, 60); // and it was colorized
    }

    [Theory]
    [InlineData("<script>alert(1)</script>.png")]
    [InlineData("../../etc/passwd")]
    [InlineData(@"..\..\Windows\win.ini")]
    [InlineData("/tmp/colorizer-web/evil.png")]
    [InlineData("quote\"d.png")]
    [InlineData("line\r\nX-Injected: yes.png")]
    [InlineData("nul\0byte.png")]
    public async Task HostileFileNames_NeverReachAHeaderOrTheFileSystem(string uploadedName)
    {
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(32, 24);
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(TestImages.Encode(grey, ".png"));
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        // RFC 5987 encoding carries any character, CR, LF and NUL included, to the server's parser.
        part.Headers.TryAddWithoutValidation("Content-Disposition",
            $"form-data; name=\"file\"; filename*=UTF-8''{Uri.EscapeDataString(uploadedName)}");
        form.Add(part);
        // The app's own folders must not change at all; shared ones (other processes write there) must get nothing named
        // after the upload.
        string[] own = [factory.TempDirectory, factory.ModelsDirectory];
        string[] shared = [Path.GetTempPath(), AppContext.BaseDirectory, Environment.CurrentDirectory];
        var before = own.Concat(shared).Distinct().ToDictionary(folder => folder, Entries);

        using var response = await client.PostAsync(ColorizeUri(), form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Injected"));
        string disposition = string.Join(",", response.Content.Headers.GetValues("Content-Disposition"));
        string offered = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName ?? "";
        Assert.Matches("^[A-Za-z0-9._-]+-colorized\\.png$", offered);
        Assert.DoesNotContain("..", offered, StringComparison.Ordinal);
        Assert.All(disposition, c => Assert.True(c is >= ' ' and <= '~' and not '\\' and not '<' and not '>', $"'{c}' in {disposition}"));
        Assert.DoesNotContain("/", disposition, StringComparison.Ordinal);
        foreach (string folder in own)
            Assert.True(before[folder].SetEquals(Entries(folder)), $"{folder} changed");
        foreach (string folder in shared)
        {
            var added = Entries(folder).Except(before[folder]);
            Assert.DoesNotContain(added, entry =>
                new[] { "passwd", "script", "alert", "win.ini", "evil", "quote", "injected", "nul" }.Any(word => entry.Contains(word, StringComparison.OrdinalIgnoreCase)));
        }
    }

    private static HashSet<string> Entries(string folder) =>
        Directory.Exists(folder) ? [.. Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>()] : [];

    private static double MeanLightness(Mat image)
    {
        using var lab = TestImages.ToLab(image);
        return Cv2.Mean(lab).Val0;
    }
}

/// <summary>Decompression bombs against the API, timed and measured alone (no other test allocates meanwhile).</summary>
[CollectionDefinition(nameof(MeasuredAlone), DisableParallelization = true)]
public sealed class MeasuredAlone;

/// <summary>
/// A PNG of about a kilobyte whose header claims 40,000×40,000 pixels (1.6 GB as grey) is refused from its header:
/// 422 in well under a second, with the process's memory barely moving.
/// </summary>
[Collection(nameof(MeasuredAlone))]
public sealed class ColorizeApiBombTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    private const long MemoryAllowance = 20L << 20;

    [Fact]
    public async Task APngHeaderBomb_Gets422_Fast_WithoutTheMemoryItClaims()
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] bomb = Png.Bomb(40_000, 40_000);
        Assert.InRange(bomb.Length, 100, 2048);
        // The first request pays for JIT compilation and the pipeline's start; measure one after it.
        using (var warmUp = await client.PostColorizeAsync(Png.Bomb(20_000, 20_000)))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, warmUp.StatusCode);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        long workingSet = process.WorkingSet64;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await client.PostColorizeAsync(bomb);

        clock.Stop();
        long allocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        process.Refresh();
        long workingSetGrowth = process.WorkingSet64 - workingSet;
        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("40000×40000", problem.Detail, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.ElapsedMilliseconds} ms");
        Assert.True(allocatedBytes < MemoryAllowance, $"allocated {allocatedBytes / 1e6:0.0} MB");
        Assert.True(workingSetGrowth < MemoryAllowance, $"the working set grew by {workingSetGrowth / 1e6:0.0} MB");
    }

    [Theory]
    [InlineData(16_385u, 1u, "longest side")]
    [InlineData(1u, 16_385u, "longest side")]
    [InlineData(10_000u, 10_000u, "megapixels")]
    [InlineData(4_000_000_000u, 4_000_000_000u, "longest side")]
    public async Task ImagesOverASizeLimit_Get422_NamingTheLimit(uint width, uint height, string limit)
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(Png.Bomb(width, height));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains(limit, problem.Detail, StringComparison.Ordinal);
    }
}
