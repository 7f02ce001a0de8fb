using Bunit;
using Colorizer.Core.Colorization;
using Colorizer.Core.Restoration;
using Colorizer.Web.Colorization;
using Colorizer.Web.Components.Gallery;

namespace Colorizer.Web.Tests.Components.Gallery;

/// <summary>A card's repairs: the switches ask for steps, the strength is for the steps that read it, the compare view follows the choice.</summary>
public sealed class RepairPanelTests : ComponentTestBase
{

    private readonly List<(GalleryItem Item, RestorationOptions Restoration)> _asked = [];

    private static GalleryItem DoneItem() => GalleryCardTests.DoneItem("scan 1921.tif");

    private IRenderedComponent<GalleryCard> RenderCard(GalleryItem item) =>
        Context.Render<GalleryCard>(p => p
            .Add(c => c.Item, item)
            .Add(c => c.OnRestorationChanged, change => _asked.Add(change)));

    private static IRenderedComponent<GalleryCard> OpenRepairs(IRenderedComponent<GalleryCard> cut)
    {
        cut.Find("[data-testid=repair]").Click();
        return cut;
    }

    private static (string? Before, string? After, string[] Labels) Compare(IRenderedComponent<GalleryCard> cut) =>
        (cut.Find(".compare-before").GetAttribute("src"), cut.Find(".compare-after").GetAttribute("src"),
            [.. cut.FindAll(".compare-label").Select(l => l.TextContent.Trim())]);

    [Fact]
    public void RepairButton_OpensThePanel_WithEveryStepOff()
    {
        var cut = RenderCard(DoneItem());
        Assert.Empty(cut.FindAll("[data-testid=repair-panel]"));
        Assert.Equal("false", cut.Find("[data-testid=repair]").GetAttribute("aria-pressed"));

        OpenRepairs(cut);

        Assert.Equal("true", cut.Find("[data-testid=repair]").GetAttribute("aria-pressed"));
        var switches = cut.FindAll("input[role=switch]");
        Assert.Equal(4, switches.Count);
        Assert.All(switches, s => Assert.Equal("false", s.GetAttribute("aria-checked")));
        Assert.Equal(["Dust and spots", "Scratches", "Grain and noise", "Faded contrast"],
            cut.FindAll("[data-testid=repair-panel] .mud-switch").Select(s => s.TextContent.Trim()));
        // No step reads the strength yet.
        Assert.True(cut.Find("input[data-testid=repair-strength]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData("dust", RestorationSteps.Dust)]
    [InlineData("scratches", RestorationSteps.Scratches)]
    [InlineData("noise", RestorationSteps.Noise)]
    [InlineData("contrast", RestorationSteps.Contrast)]
    public void EachSwitch_AsksForItsStep_KeepingTheOthers(string name, RestorationSteps step)
    {
        var item = DoneItem();
        item.WantedRestoration = new RestorationOptions { Steps = step == RestorationSteps.Dust ? RestorationSteps.Contrast : RestorationSteps.Dust, Strength = 0.7 };
        var cut = OpenRepairs(RenderCard(item));

        cut.Find($"input[data-testid=repair-{name}]").Change(true);

        var (asked, restoration) = Assert.Single(_asked);
        Assert.Same(item, asked);
        Assert.Equal(item.WantedRestoration.Steps | step, restoration.Steps);
        Assert.Equal(0.7, restoration.Strength);
    }

    [Fact]
    public void SwitchOff_AsksWithoutTheStep()
    {
        var item = DoneItem();
        item.WantedRestoration = new RestorationOptions { Steps = RestorationSteps.Dust | RestorationSteps.Noise };
        var cut = OpenRepairs(RenderCard(item));
        Assert.Equal("true", cut.Find("input[data-testid=repair-noise]").GetAttribute("aria-checked"));
        Assert.False(cut.Find("input[data-testid=repair-strength]").HasAttribute("disabled"));

        cut.Find("input[data-testid=repair-noise]").Change(false);

        Assert.Equal(RestorationSteps.Dust, Assert.Single(_asked).Restoration.Steps);
    }

    [Fact]
    public void Strength_AsksWithTheNewStrength()
    {
        var item = DoneItem();
        item.WantedRestoration = new RestorationOptions { Steps = RestorationSteps.Noise };
        var cut = OpenRepairs(RenderCard(item));
        Assert.Contains("50%", cut.Find("[data-testid=repair-panel] .control-label").TextContent);

        cut.Find("input[data-testid=repair-strength]").Change("0.8");

        var asked = Assert.Single(_asked).Restoration;
        Assert.Equal(RestorationSteps.Noise, asked.Steps);
        Assert.Equal(0.8, asked.Strength);
    }

    [Fact]
    public void RepairedPhoto_IsComparedWithTheOriginal_ThenWithItsColours()
    {
        var item = DoneItem();
        item.WantedRestoration = new RestorationOptions { Steps = RestorationSteps.Dust };
        item.Options = ColorizationOptions.Default with { Restoration = item.WantedRestoration };
        item.RepairedPreview = PreviewImage.FromBytes("REPAIRED"u8.ToArray(), "image/png");
        var cut = RenderCard(item);
        string Original = GalleryCardTests.Url(item, PreviewKind.Original), Result = GalleryCardTests.Url(item, PreviewKind.Result),
            Repaired = GalleryCardTests.Url(item, PreviewKind.Repaired);
        // Closed: the usual original and colours.
        Assert.Equal((Original, Result), (Compare(cut).Before, Compare(cut).After));

        OpenRepairs(cut);
        Assert.Equal((Original, Repaired), (Compare(cut).Before, Compare(cut).After));
        Assert.Equal(["Original", "Repaired"], Compare(cut).Labels);
        Assert.Equal("Repaired: scan 1921.tif", cut.Find(".compare-after").GetAttribute("alt"));

        ButtonWithText(cut, "Repaired | Colorized").Click();
        Assert.Equal((Repaired, Result), (Compare(cut).Before, Compare(cut).After));
        Assert.Equal(["Repaired", "Colorized"], Compare(cut).Labels);
        Assert.Equal("50% repaired", cut.Find("[data-testid=compare-handle]").GetAttribute("aria-valuetext"));

        ButtonWithText(cut, "Original | Colorized").Click();
        Assert.Equal((Original, Result), (Compare(cut).Before, Compare(cut).After));
        Assert.Contains("Repaired: dust (strength 0.5)", cut.Find("[data-testid=repair-state]").TextContent);
    }

    [Fact]
    public void WhileRepairing_SaysWhatItDoes_AndTheSwitchesStayOn()
    {
        var item = DoneItem();
        item.WantedRestoration = new RestorationOptions { Steps = RestorationSteps.Scratches };
        item.Repairing = true;
        item.Recomputing = true;
        item.Note = "Repairing the photo…";
        var cut = OpenRepairs(RenderCard(item));

        Assert.Equal("Repairing the photo…", cut.Find("[data-testid=repair-state]").TextContent.Trim());
        // Toggles flipped meanwhile are gathered, so they stay usable; the card's other re-runs wait.
        Assert.False(cut.Find("input[data-testid=repair-dust]").HasAttribute("disabled"));
        Assert.Equal("true", cut.Find("[data-testid=detail]").GetAttribute("aria-disabled"));
    }

    [Fact]
    public void AnotherReRun_DisablesTheSwitches()
    {
        var item = DoneItem();
        item.Recomputing = true;
        var cut = OpenRepairs(RenderCard(item));

        var switches = cut.FindAll("input[role=switch]");
        Assert.Equal(4, switches.Count);
        Assert.All(switches, s => Assert.True(s.HasAttribute("disabled")));
    }
}
