using Bunit;
using Colorizer.Web.Components.Gallery;
using Microsoft.AspNetCore.Components;

namespace Colorizer.Web.Tests.Components.Gallery;

public sealed class CompareSliderTests : ComponentTestBase
{
    private const string Before = "data:image/png;base64,QkVGT1JF";
    private const string After = "data:image/png;base64,QUZURVI=";

    private IRenderedComponent<CompareSlider> RenderSlider(string label = "grandma 1952.jpg") =>
        Context.Render<CompareSlider>(p => p
            .Add(s => s.BeforeSource, Before)
            .Add(s => s.AfterSource, After)
            .Add(s => s.Label, label));

    [Fact]
    public void Render_ShowsTheColorizedResultStackedOverTheOriginal()
    {
        var cut = RenderSlider();

        var images = cut.FindAll("[data-testid=compare] > img");
        Assert.Equal(2, images.Count);
        Assert.Equal(Before, images[0].GetAttribute("src"));
        Assert.Equal("Original: grandma 1952.jpg", images[0].GetAttribute("alt"));
        Assert.Contains("compare-before", images[0].ClassList);
        Assert.Equal(After, images[1].GetAttribute("src"));
        Assert.Equal("Colorized: grandma 1952.jpg", images[1].GetAttribute("alt"));
        Assert.Contains("compare-after", images[1].ClassList);
        Assert.All(images, i => Assert.Equal("false", i.GetAttribute("draggable")));
    }

    [Fact]
    public void Handle_IsAKeyboardReachableSliderNamedForTheFile()
    {
        var handle = RenderSlider().Find("[data-testid=compare-handle]");

        Assert.Equal("slider", handle.GetAttribute("role"));
        Assert.Equal("0", handle.GetAttribute("tabindex"));
        Assert.Equal("Comparison divider for grandma 1952.jpg", handle.GetAttribute("aria-label"));
        Assert.Equal("0", handle.GetAttribute("aria-valuemin"));
        Assert.Equal("100", handle.GetAttribute("aria-valuemax"));
        Assert.Equal("50", handle.GetAttribute("aria-valuenow"));
        Assert.Equal("50% original", handle.GetAttribute("aria-valuetext"));
        Assert.Equal("horizontal", handle.GetAttribute("aria-orientation"));
    }

    [Fact]
    public void WithoutALabel_NamesTheImagesGenerically()
    {
        var cut = Context.Render<CompareSlider>(p => p.Add(s => s.BeforeSource, Before).Add(s => s.AfterSource, After));

        Assert.Equal("Comparison divider for image", cut.Find("[role=slider]").GetAttribute("aria-label"));
        Assert.Equal("Original: image", cut.Find("img.compare-before").GetAttribute("alt"));
    }

    [Fact]
    public void MarkupInTheFileName_StaysInsideTheAttributes()
    {
        const string name = "\"><script>alert(1)</script>.png";
        var cut = RenderSlider(name);

        Assert.Empty(cut.FindAll("script"));
        Assert.Equal($"Comparison divider for {name}", cut.Find("[role=slider]").GetAttribute("aria-label"));
        Assert.Equal($"Colorized: {name}", cut.Find("img.compare-after").GetAttribute("alt"));
    }

    [Fact]
    public void FirstRender_StartsTheDividerScriptOnItsOwnElement()
    {
        var cut = RenderSlider();

        var invocation = Context.JSInterop.VerifyInvoke("colorizer.initCompare");
        var element = Assert.IsType<ElementReference>(Assert.Single(invocation.Arguments));
        Assert.Equal(element.Id, cut.Find("[data-testid=compare]").GetAttribute("blazor:elementReference"));
    }

    [Fact]
    public void NewResult_UpdatesTheImageWithoutStartingTheScriptAgain()
    {
        var cut = RenderSlider();

        cut.Render(p => p.Add(s => s.AfterSource, "data:image/png;base64,TkVX"));

        Assert.Equal("data:image/png;base64,TkVX", cut.Find("img.compare-after").GetAttribute("src"));
        Context.JSInterop.VerifyInvoke("colorizer.initCompare", calledTimes: 1);
    }

    [Fact]
    public async Task Disposing_ReleasesTheDividerScript()
    {
        var controller = Context.JSInterop.SetupModule(i => i.Identifier == "colorizer.initCompare");
        controller.SetupVoid("dispose").SetVoidResult();
        RenderSlider();

        await Context.DisposeComponentsAsync();

        controller.VerifyInvoke("dispose");
    }
}
