using Colorizer.Core;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>The page's session with hints and a reference, over the tiny model that paints (a, b) = (20, 30) everywhere.</summary>
public sealed class ColorizationSessionGuidanceTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    private const int Width = 200, Height = 120;

    // Left half dark, right half light, split by a hard edge.
    private static byte[] TwoRegionsPng()
    {
        using var image = new Mat(Height, Width, MatType.CV_8UC1, OpenCvSharp.Scalar.All(70));
        using (var right = image.ColRange(Width / 2, Width))
            right.SetTo(OpenCvSharp.Scalar.All(190));
        return TestImages.Encode(image, ".png");
    }

    private async Task<(IServiceScope Scope, ColorizationSession Session, GalleryItem Item)> ColorizedAsync()
    {
        await factory.CreateReadyClientAsync();
        var scope = factory.Services.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<ColorizationSession>();
        var item = session.Add("two regions.png");
        await session.ColorizeAsync(item, TwoRegionsPng());
        Assert.Equal(GalleryItemStatus.Done, item.Status);
        return (scope, session, item);
    }

    private static (double A, double B) MeanAb(byte[] encoded, Rect region)
    {
        using var image = ImageAssertions.Decode(encoded);
        using var part = new Mat(image, region);
        return ImageAssertions.MeanAb(part);
    }

    [Fact]
    public async Task HintsChangeThePreviewAndTheDownload_OnlyInTheirRegion()
    {
        var (scope, session, item) = await ColorizedAsync();
        using var _ = scope;
        string automatic = item.ResultPreview!.Version;
        var blue = LabColor.FromHex("#2050d0");

        await session.SetHintsAsync(item, [new ColorHint(50, 60, 6, blue)]);

        Assert.NotEqual(automatic, item.ResultPreview!.Version);
        byte[] png = await session.EncodeAsync(item, OutputFormat.Png);
        var left = MeanAb(png, new Rect(10, 10, 80, 100));
        var right = MeanAb(png, new Rect(110, 10, 80, 100));
        Assert.True(left.B < -30, $"left b* {left.B:0.0}");
        Assert.InRange(right.A, ColorizerWebFactory.ModelColor.A - 3, ColorizerWebFactory.ModelColor.A + 3);
        Assert.InRange(right.B, ColorizerWebFactory.ModelColor.B - 3, ColorizerWebFactory.ModelColor.B + 3);

        Assert.True(await session.UndoHintAsync(item));
        Assert.Empty(item.Hints.Current);
        byte[] undone = await session.EncodeAsync(item, OutputFormat.Png);
        Assert.InRange(MeanAb(undone, new Rect(10, 10, 80, 100)).B, ColorizerWebFactory.ModelColor.B - 3, ColorizerWebFactory.ModelColor.B + 3);
    }

    [Fact]
    public async Task HintsOutsideTheImage_AreRefusedAndChangeNothing()
    {
        var (scope, session, item) = await ColorizedAsync();
        using var _ = scope;

        var error = await Assert.ThrowsAsync<InvalidHintsException>(() =>
            session.SetHintsAsync(item, [new ColorHint(Width + 5, 10, 5, LabColor.FromHex("#fff"))]));

        Assert.Contains($"{Width}×{Height}", error.Message);
        Assert.Empty(item.Hints.Current);
        Assert.False(item.Hints.CanUndo);
    }

    [Fact]
    public async Task ImportedHintsReplaceTheCurrentOnes_AndExportReadsBack()
    {
        var (scope, session, item) = await ColorizedAsync();
        using var _ = scope;
        await session.SetHintsAsync(item, [new ColorHint(10, 10, 5, LabColor.FromHex("#ff0000"))]);

        await session.ImportHintsAsync(item, """[{"x": 150, "y": 60, "radius": 9, "lab": [60, -40, 30]}]""");

        var hint = Assert.Single(item.Hints.Current);
        Assert.Equal(new LabColor(60, -40, 30), hint.Color);
        Assert.Equal(item.Hints.Current, HintsJson.Parse(ColorizationSession.ExportHints(item)));
        await Assert.ThrowsAsync<InvalidHintsException>(() => session.ImportHintsAsync(item, "[{]"));
        Assert.Equal(hint, Assert.Single(item.Hints.Current));
    }

    [Fact]
    public async Task AReferencePhotoGivesASecondVariant_AndTheAutomaticOneStaysAvailable()
    {
        var (scope, session, item) = await ColorizedAsync();
        using var _ = scope;
        using var teal = new Mat(60, 80, MatType.CV_8UC3, new OpenCvSharp.Scalar(150, 140, 40));
        var palette = ReferencePalette.FromImage(DecodedImage.FromMat(teal.Clone()));

        await session.SetReferenceAsync(item, "lake.png", TestImages.Encode(teal, ".png"));

        Assert.Equal(ColorVariant.Reference, item.Variant);
        Assert.NotNull(item.ReferencePreview);
        byte[] transferred = await session.EncodeAsync(item, OutputFormat.Png);
        var whole = MeanAb(transferred, new Rect(0, 0, Width, Height));
        Assert.InRange(whole.A, palette.Global.MeanA - 4, palette.Global.MeanA + 4);
        Assert.InRange(whole.B, palette.Global.MeanB - 4, palette.Global.MeanB + 4);

        await session.SetVariantAsync(item, ColorVariant.Automatic);
        byte[] automatic = await session.EncodeAsync(item, OutputFormat.Png);
        Assert.InRange(MeanAb(automatic, new Rect(0, 0, Width, Height)).B, ColorizerWebFactory.ModelColor.B - 3, ColorizerWebFactory.ModelColor.B + 3);
    }

    [Fact]
    public async Task AGreyOrBrokenReference_IsRefusedWithItsReason()
    {
        var (scope, session, item) = await ColorizedAsync();
        using var _ = scope;
        using var grey = new Mat(40, 40, MatType.CV_8UC1, OpenCvSharp.Scalar.All(100));

        var noColor = await Assert.ThrowsAsync<InvalidHintsException>(() => session.SetReferenceAsync(item, "grey.png", TestImages.Encode(grey, ".png")));
        await Assert.ThrowsAnyAsync<ColorizerException>(() => session.SetReferenceAsync(item, "notes.txt", "hello"u8.ToArray()));

        Assert.Contains("no colour", noColor.Message);
        Assert.Null(item.Reference);
        Assert.Equal(ColorVariant.Automatic, item.Variant);
    }

    [Fact]
    public async Task AReloadedPageGetsItsTabsGallery_WithHints()
    {
        await factory.CreateReadyClientAsync();
        string id = Guid.NewGuid().ToString("N");
        GalleryItem item;
        using (var first = factory.Services.CreateScope())
        {
            var session = first.ServiceProvider.GetRequiredService<ColorizationSession>();
            Assert.True(session.Attach(id));
            item = session.Add("two regions.png");
            await session.ColorizeAsync(item, TwoRegionsPng());
            await session.SetHintsAsync(item, [new ColorHint(50, 60, 6, LabColor.FromHex("#2050d0"))]);
        }

        using var second = factory.Services.CreateScope();
        var reloaded = second.ServiceProvider.GetRequiredService<ColorizationSession>();
        Assert.Empty(reloaded.Items);
        Assert.True(reloaded.Attach(id));

        var kept = Assert.Single(reloaded.Items);
        Assert.Same(item, kept);
        Assert.Single(kept.Hints.Current);
        byte[] png = await reloaded.EncodeAsync(kept, OutputFormat.Png);
        Assert.True(MeanAb(png, new Rect(10, 10, 80, 100)).B < -30, "the hint still applies after the reload");
        Assert.False(reloaded.Attach("not-an-id"));
    }

    [Fact]
    public async Task RemovingACardDuringItsDownload_StillGivesTheWholeImage()
    {
        var (scope, session, item) = await ColorizedAsync();
        using var _ = scope;
        await session.SetHintsAsync(item, [new ColorHint(50, 60, 6, LabColor.FromHex("#2050d0"))]);

        var download = session.EncodeAsync(item, OutputFormat.Png);
        session.Remove(item);
        byte[] png = await download;

        using var image = ImageAssertions.Decode(png);
        Assert.Equal((Width, Height), (image.Width, image.Height));
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.EncodeAsync(item, OutputFormat.Png));
    }

    [Fact]
    public async Task AGallery_HoldsAtMostItsLimit()
    {
        await factory.CreateReadyClientAsync();
        using var store = new GalleryStore(Microsoft.Extensions.Options.Options.Create(new GalleryOptions { MaxItems = 2 }), TimeProvider.System);
        using var session = new ColorizationSession(factory.Services.GetRequiredService<ColorizationService>(),
            Microsoft.Extensions.Options.Options.Create(new UploadOptions()),
            factory.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(), store,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ColorizationSession>.Instance);

        var first = session.Add("a.png");
        var second = session.Add("b.png");
        var third = session.Add("c.png");

        Assert.Equal(GalleryItemStatus.Uploading, first.Status);
        Assert.Equal(GalleryItemStatus.Uploading, second.Status);
        Assert.Equal(GalleryItemStatus.Failed, third.Status);
        Assert.Contains("already holds 2 images", third.Error);
        session.Remove(third);
        session.Remove(first);
        Assert.Equal(GalleryItemStatus.Uploading, session.Add("d.png").Status);
    }
}
