using Bunit;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Components.Gallery;
using Colorizer.Web.Components.ModelChoice;

namespace Colorizer.Web.Tests.Components.ModelChoice;

/// <summary>The model picker, the card's use of it, and the controls that only the 2016 network has.</summary>
public sealed class ModelPickerTests : ComponentTestBase
{
    private static readonly ColorModel DDColor = ModelCatalogue.Get("ddcolor");

    private IRenderedComponent<ModelPicker> RenderPicker(string value, List<string> picked) =>
        Context.Render<ModelPicker>(p => p
            .Add(c => c.Value, value)
            .Add(c => c.ValueChanged, id => picked.Add(id)));

    [Fact]
    public void Options_ShowEveryModelWithItsState()
    {
        string path = TinyOnnxModels.WriteTo(ModelsFolder.Path, DDColor, TinyOnnxModels.ConstantAb(30, -20));
        var cut = RenderPicker("eccv16", []);

        var options = OpenSelect(cut).Select(o => o.TextContent.Trim()).ToList();

        Assert.Equal(6, options.Count);
        Assert.Equal("Classic (Zhang et al., 2016) · not downloaded", options[0]);
        Assert.Equal($"DDColor · downloaded, {new FileInfo(path).Length / 1024.0:N0} KB", options[1]);
        Assert.Equal("DeOldify, stable · not downloaded", options[3]);
    }

    [Fact]
    public void HelperText_GivesTheChosenModelsLicenceAndState()
    {
        var cut = RenderPicker("deoldify-artistic", []);

        Assert.Contains("MIT · not downloaded: choosing it downloads about 1 GB first", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void PickingAModel_RaisesItsId()
    {
        var picked = new List<string>();
        var cut = RenderPicker("eccv16", picked);

        OpenSelect(cut).Single(o => o.TextContent.Trim().StartsWith("DeOldify, artistic", StringComparison.Ordinal)).Click();

        // MudSelect raises the change after its popover closes, which a busy machine may not have done yet.
        cut.WaitForAssertion(() => Assert.Equal(["deoldify-artistic"], picked));
    }

    [Fact]
    public void ShortState_SaysDownloadingWithItsPercentage_AndFailed()
    {
        Assert.Equal("downloading 42%", ModelPicker.ShortState(new ModelAvailability(DDColor, ModelFileStatus.Downloading, DownloadFraction: 0.42)).Replace(" %", "%", StringComparison.Ordinal));
        var failed = new ModelAvailability(DDColor, ModelFileStatus.Failed, FailureReason: "every source failed");
        Assert.Equal("failed", ModelPicker.ShortState(failed));
        Assert.Equal("Apache-2.0 · failed: every source failed", ModelPicker.Describe(failed));
    }

    [Fact]
    public void ColorControls_ForAModelWithoutADistribution_HideVividnessWithAReason_AndOfferItsSizes()
    {
        var cut = Context.Render<ColorControls>(p => p
            .Add(c => c.Id, "x1")
            .Add(c => c.Model, DDColor)
            .Add(c => c.RenderSize, 256));

        Assert.Empty(cut.FindAll("input[data-testid=vividness]"));
        Assert.Contains("No vividness control: DDColor gives one colour per spot", cut.Find("[data-testid=no-vividness]").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("input[data-testid=saturation]"));
        var sizes = OpenSelect(cut).Select(o => o.TextContent.Trim()).ToList();
        Assert.Equal(["Coarse (192 px)", "Standard (256 px)", "Fine (384 px)", "Finest (512 px)"], sizes);
    }

    [Fact]
    public void GalleryCard_ShowsTheCardsModel_AndRaisesThePickedOne()
    {
        var changes = new List<(GalleryItem Item, ColorModel Model)>();
        var item = new GalleryItem("grandpa.jpg")
        {
            Status = GalleryItemStatus.Done,
            OriginalPreview = Tests.Components.Gallery.GalleryCardTests.Original,
            ResultPreview = Tests.Components.Gallery.GalleryCardTests.Result,
            GalleryKey = Tests.Components.Gallery.GalleryCardTests.GalleryKey,
            Options = ColorizationOptions.For(DDColor),
        };
        var cut = Context.Render<GalleryCard>(p => p
            .Add(c => c.Item, item)
            .Add(c => c.OnModelChanged, change => changes.Add(change)));

        Assert.NotNull(cut.Find("[data-testid=card-model]"));
        Assert.NotNull(cut.Find("[data-testid=no-vividness]"));
        cut.Find("[data-testid=card-model] .mud-select .mud-input-control").MouseDown();
        Popovers.FindAll("[role=option]").Single(o => o.TextContent.Trim().StartsWith("Classic", StringComparison.Ordinal)).Click();

        var change = Assert.Single(changes);
        Assert.Same(item, change.Item);
        Assert.Equal("eccv16", change.Model.Id);
    }

    [Fact]
    public void GalleryCard_ComparingWithAnotherModel_PutsItsResultOnTheBeforeSide_AndRaisesTheChoice()
    {
        var choices = new List<(GalleryItem Item, string? ModelId)>();
        var item = new GalleryItem("grandpa.jpg")
        {
            Status = GalleryItemStatus.Done,
            OriginalPreview = Tests.Components.Gallery.GalleryCardTests.Original,
            ResultPreview = Tests.Components.Gallery.GalleryCardTests.Result,
            GalleryKey = Tests.Components.Gallery.GalleryCardTests.GalleryKey,
            CompareWith = "ddcolor",
        };
        item.Comparisons.Add(new ModelComparison(DDColor, null!, Core.Models.BinCentres.Release) { Preview = PreviewImage.FromBytes("DDCOLOR"u8.ToArray(), "image/png") });
        var cut = Context.Render<GalleryCard>(p => p
            .Add(c => c.Item, item)
            .Add(c => c.OnCompareWithChanged, choice => choices.Add(choice)));

        Assert.Equal(Tests.Components.Gallery.GalleryCardTests.Url(item, PreviewKind.Compare), cut.Find("img.compare-before").GetAttribute("src"));
        Assert.Equal("DDColor", cut.Find(".compare-label-before").TextContent.Trim());
        Assert.Equal("DDColor: grandpa.jpg", cut.Find("img.compare-before").GetAttribute("alt"));
        cut.Find("[data-testid=model-compare] .mud-select .mud-input-control").MouseDown();
        var options = Popovers.FindAll("[role=option]").Select(o => o.TextContent.Trim()).ToList();
        Assert.Equal("The original", options[0]);
        Assert.Contains("DDColor · ready to compare", options);
        Assert.DoesNotContain(options, o => o.StartsWith("Classic", StringComparison.Ordinal)); // the card's own model
        Popovers.FindAll("[role=option]")[0].Click();

        Assert.Equal((item, (string?)null), Assert.Single(choices));
    }

    [Fact]
    public void GalleryCard_SaysWhyARerunDidNotHappen()
    {
        var item = new GalleryItem("grandpa.jpg")
        {
            Status = GalleryItemStatus.Done,
            OriginalPreview = Tests.Components.Gallery.GalleryCardTests.Original,
            ResultPreview = Tests.Components.Gallery.GalleryCardTests.Result,
            GalleryKey = Tests.Components.Gallery.GalleryCardTests.GalleryKey,
            Error = "The DeOldify model is not downloaded and downloading is switched off.",
        };

        var cut = Context.Render<GalleryCard>(p => p.Add(c => c.Item, item));

        Assert.Equal(item.Error, cut.Find("[data-testid=rerun-error]").TextContent.Trim());
    }
}
