using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>
/// The page's session choosing models: the tiny 2016-type model paints (20, 30), a generated DDColor-type file
/// (not the real network) paints (30, −20).
/// </summary>
public sealed class ColorizationSessionModelTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    private static readonly ColorModel DDColor = ModelCatalogue.Get("ddcolor");

    private static byte[] GreyPng()
    {
        using var grey = TestImages.Flat(120, 80, 140);
        return TestImages.Encode(grey, ".png");
    }

    private Task<(double A, double B)> PreviewAb(GalleryItem item) => PreviewAbAsync(item, PreviewKind.Result);

    [Fact]
    public async Task DefaultModel_ColorsNewUploads_AndSwitchingACardRunsItAgainWithTheOther()
    {
        await factory.CreateReadyClientAsync();
        TinyOnnxModels.WriteTo(factory.ModelsDirectory, DDColor, TinyOnnxModels.ConstantAb(30, -20));
        using var scope = factory.Services.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<ColorizationSession>();

        session.SetDefaultModel(DDColor);
        var item = session.Add("photo.png");
        await session.ColorizeAsync(item, GreyPng());

        Assert.Equal(GalleryItemStatus.Done, item.Status);
        Assert.Equal("ddcolor", item.Options.Model);
        Assert.Equal(ModelCatalogue.OnnxDefaultInputSize, item.Options.RenderSize);
        var (a, b) = await PreviewAb(item);
        Assert.Equal(30, a, 2.0);
        Assert.Equal(-20, b, 2.0);
        Assert.Empty(session.LikelyColors(item, 10, 10));

        await session.ChangeModelAsync(item, ModelCatalogue.Eccv16);

        Assert.Null(item.Error);
        Assert.Equal("eccv16", item.Options.Model);
        (a, b) = await PreviewAb(item);
        Assert.Equal(ColorizerWebFactory.ModelColor.A, a, 2.0);
        Assert.Equal(ColorizerWebFactory.ModelColor.B, b, 2.0);
        Assert.False(item.Recomputing);
        Assert.Null(item.Note);
    }

    [Fact]
    public async Task ComparingWithAnotherModel_ShowsItsColoursBesideTheCardsOwn_FollowingTheSliders()
    {
        await factory.CreateReadyClientAsync();
        TinyOnnxModels.WriteTo(factory.ModelsDirectory, DDColor, TinyOnnxModels.ConstantAb(30, -20));
        using var scope = factory.Services.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<ColorizationSession>();
        var item = session.Add("photo.png");
        await session.ColorizeAsync(item, GreyPng());

        await session.CompareWithAsync(item, "ddcolor");

        Assert.Null(item.Error);
        Assert.Equal("ddcolor", item.CompareWith);
        var compared = Assert.Single(item.Comparisons);
        var (a, b) = await PreviewAbAsync(item, PreviewKind.Compare);
        Assert.Equal(30, a, 2.0);
        Assert.Equal(-20, b, 2.0);
        // The card's own result (and download) is still the 2016 network's.
        (a, b) = await PreviewAb(item);
        Assert.Equal(ColorizerWebFactory.ModelColor.A, a, 2.0);
        Assert.Equal("eccv16", item.Options.Model);

        await session.RestyleAsync(item, item.Options.Temperature, 0.5);
        (a, b) = await PreviewAbAsync(item, PreviewKind.Compare);
        Assert.Equal(15, a, 2.0);
        Assert.Equal(-10, b, 2.0);

        await session.CompareWithAsync(item, null);
        Assert.Null(item.CompareWith);
        Assert.Single(item.Comparisons);
    }

    // The preview as the page's browser gets it: by its URL.
    private async Task<(double A, double B)> PreviewAbAsync(GalleryItem item, PreviewKind kind)
    {
        using var image = ImageAssertions.Decode(await PreviewRequests.BytesAsync(factory, item, kind));
        return ImageAssertions.MeanAb(image);
    }

    [Fact]
    public async Task SwitchingToAModelThatCannotBeHad_KeepsTheResult_AndSaysWhy()
    {
        await factory.CreateReadyClientAsync();
        using var scope = factory.Services.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<ColorizationSession>();
        var item = session.Add("photo.png");
        await session.ColorizeAsync(item, GreyPng());
        var before = item.ResultPreview!;

        await session.ChangeModelAsync(item, ModelCatalogue.Get("deoldify-artistic"));

        Assert.Equal("eccv16", item.Options.Model);
        Assert.Same(before, item.ResultPreview);
        Assert.Contains("downloading is switched off", item.Error, StringComparison.Ordinal);
    }
}
