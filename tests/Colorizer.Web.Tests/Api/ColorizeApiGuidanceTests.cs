using System.Net;
using System.Net.Http.Headers;
using Colorizer.Core.Guidance;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using OpenCvSharp;
using Xunit.Abstractions;
using static Colorizer.Web.Tests.Infrastructure.ApiRequests;

namespace Colorizer.Web.Tests.Api;

/// <summary>
/// <c>POST /api/colorize</c> with colour hints and a reference photo, against the tiny model that paints every pixel
/// (a, b) = (20, 30).
/// </summary>
public sealed class ColorizeApiGuidanceTests(ColorizerWebFactory factory, ITestOutputHelper output) : IClassFixture<ColorizerWebFactory>
{
    private const int Width = 240;
    private const int Height = 160;

    // A blue far from the model's orange in both a* and b*.
    private static readonly LabColor Blue = LabColor.FromHex("#3050c8");

    private static readonly Rect Left = new(12, 12, Width / 2 - 24, Height - 24);
    private static readonly Rect Right = new(Width / 2 + 12, 12, Width / 2 - 24, Height - 24);

    private static byte[] TwoRegionsPng()
    {
        using var grey = TestImages.TwoRegions(Width, Height, 90, 170);
        return TestImages.Encode(grey, ".png");
    }

    private static byte[] SolidPng(OpenCvSharp.Scalar bgr, int width = 160, int height = 120)
    {
        using var image = new Mat(height, width, MatType.CV_8UC3, bgr);
        return TestImages.Encode(image, ".png");
    }

    private static async Task<Mat> DecodeOkAsync(HttpResponseMessage response)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        return ImageAssertions.Decode(body);
    }

    private static double Distance((double L, double A, double B) mean, double a, double b) => Math.Sqrt((mean.A - a) * (mean.A - a) + (mean.B - b) * (mean.B - b));

    [Fact]
    public async Task Hint_ColorsItsRegionTowardTheHint_AndLeavesTheRegionAcrossTheEdgeUnchanged()
    {
        using var client = await factory.CreateReadyClientAsync();
        string hints = $$"""[{"x": {{Width / 4}}, "y": {{Height / 2}}, "radius": 8, "color": "#3050c8"}]""";

        using var plainResponse = await client.PostColorizeAsync(TwoRegionsPng());
        using var guidedResponse = await client.PostGuidedAsync(TwoRegionsPng(), hints);
        using var plain = await DecodeOkAsync(plainResponse);
        using var guided = await DecodeOkAsync(guidedResponse);

        Assert.Equal((Width, Height), (guided.Width, guided.Height));
        var plainLeft = TestImages.MeanLab(plain, Left);
        var guidedLeft = TestImages.MeanLab(guided, Left);
        var plainRight = TestImages.MeanLab(plain, Right);
        var guidedRight = TestImages.MeanLab(guided, Right);
        output.WriteLine($"hint ab ({Blue.A:0.0}, {Blue.B:0.0}); left {plainLeft} -> {guidedLeft}; right {plainRight} -> {guidedRight}");

        // The whole left region (not just the dot) comes most of the way from the model's orange to the hint's blue ...
        Assert.True(Distance(guidedLeft, Blue.A, Blue.B) < 0.25 * Distance(plainLeft, Blue.A, Blue.B),
            $"left ab ({guidedLeft.A:0.0}, {guidedLeft.B:0.0}) should be near the hint's ({Blue.A:0.0}, {Blue.B:0.0})");
        // ... its lightness stays the photo's ...
        Assert.InRange(guidedLeft.L - plainLeft.L, -1.0, 1.0);
        // ... and the other side of the edge keeps the model's colour.
        Assert.InRange(guidedRight.A - plainRight.A, -2.0, 2.0);
        Assert.InRange(guidedRight.B - plainRight.B, -2.0, 2.0);
    }

    [Fact]
    public async Task Hints_SentAsAFile_WorkLikeText()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var form = Form(TwoRegionsPng());
        var hints = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes($$"""[{"x": {{Width / 4}}, "y": {{Height / 2}}, "lab": [40, {{Blue.A}}, {{Blue.B}}]}]"""));
        hints.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(hints, "hints", "hints.json");

        using var response = await client.PostAsync(ColorizeUri(), form);
        using var guided = await DecodeOkAsync(response);

        var left = TestImages.MeanLab(guided, Left);
        Assert.True(Distance(left, Blue.A, Blue.B) < 15, $"left ab ({left.A:0.0}, {left.B:0.0})");
    }

    [Theory]
    [InlineData("""[{"x": 10, "y": 10, "radius": 5, "color": "#c0392b" """, "not valid")]
    [InlineData("""{"x": 10, "y": 10}""", "not valid")]
    [InlineData("""[{"x": 10, "y": 10, "color": "red"}]""", "#rrggbb")]
    [InlineData("""[{"x": 10, "y": 10, "lab": [50, 300, 0]}]""", "a* must be between")]
    [InlineData("""[{"x": 10, "y": 10, "radius": 5}]""", "give a colour")]
    public async Task MalformedHints_Return422_WithErrorsHints(string hints, string expected)
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), hints);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single(Assert.Contains("hints", problem.Errors));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains(expected, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Width, 10)]
    [InlineData(10, Height + 5)]
    public async Task HintOutsideTheImage_Returns422_NamingTheImageSize(int x, int y)
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), $$"""[{"x": {{x}}, "y": {{y}}, "color": "#c0392b"}]""");

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("hints", problem.Errors.Keys);
        Assert.Contains($"{Width}×{Height}", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("outside", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HintWithNegativeCoordinates_Returns422_SayingSo()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), """[{"x": -1, "y": 10, "color": "#c0392b"}]""");

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("hints", problem.Errors.Keys);
        Assert.Contains("cannot be negative", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HintsLargerThanTheirCap_Return413()
    {
        using var client = await factory.CreateReadyClientAsync();
        string hints = "[" + new string(' ', HintsJson.MaxBytes) + "]";

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), hints);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("hints", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("1 MB", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyHints_AreNoHints()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), "  ");
        using var image = await DecodeOkAsync(response);

        var (a, b) = ImageAssertions.MeanAb(image);
        Assert.InRange(a, 15, 25);
        Assert.InRange(b, 25, 35);
    }

    [Theory]
    [InlineData("")]
    [InlineData("transfer=global")]
    [InlineData("transfer=bands")]
    public async Task ReferencePhoto_MovesTheMeanColorToTheReferences(string query)
    {
        using var client = await factory.CreateReadyClientAsync();
        // A blue-green photo: far from the model's orange.
        byte[] reference = SolidPng(new OpenCvSharp.Scalar(170, 130, 40));
        using var referenceImage = ImageAssertions.Decode(reference);
        var target = TestImages.MeanLab(referenceImage, new Rect(0, 0, referenceImage.Width, referenceImage.Height));

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), reference: reference, query: query);
        using var image = await DecodeOkAsync(response);

        var (a, b) = ImageAssertions.MeanAb(image);
        output.WriteLine($"reference ab ({target.A:0.0}, {target.B:0.0}); result ({a:0.0}, {b:0.0})");
        Assert.InRange(a, target.A - 3, target.A + 3);
        Assert.InRange(b, target.B - 3, target.B + 3);
    }

    [Fact]
    public async Task GreyReference_Returns422_WithErrorsReference()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(80, 60);

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), reference: TestImages.Encode(grey, ".png"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single(Assert.Contains("reference", problem.Errors));
        Assert.Contains("no colour", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hints", problem.Errors.Keys);
    }

    [Fact]
    public async Task ReferenceThatIsNotAnImage_Returns422_WithErrorsReference()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), reference: "not a photo at all"u8.ToArray());

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("reference", problem.Errors.Keys);
        Assert.StartsWith("The reference photo", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferenceSentAsText_Returns400()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var form = Form(TwoRegionsPng());
        form.Add(new StringContent("beach.jpg"), "reference");

        using var response = await client.PostAsync(ColorizeUri(), form);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'reference'", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTransfer_Returns422_WithErrorsTransfer()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostGuidedAsync(TwoRegionsPng(), reference: SolidPng(new OpenCvSharp.Scalar(170, 130, 40)), query: "transfer=foo");

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var error = Assert.Single(Assert.Contains("transfer", problem.Errors));
        Assert.Contains("'foo'", error, StringComparison.Ordinal);
        Assert.Contains("global or bands", problem.Detail, StringComparison.Ordinal);
    }
}
