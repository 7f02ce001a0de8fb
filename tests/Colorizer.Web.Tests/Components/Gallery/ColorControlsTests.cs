using Bunit;
using Colorizer.Core.Colorization;
using Colorizer.Web.Components.Gallery;

namespace Colorizer.Web.Tests.Components.Gallery;

public sealed class ColorControlsTests : ComponentTestBase
{
    private readonly List<(double Temperature, double Saturation)> _styles = [];
    private readonly List<int> _sizes = [];

    private IRenderedComponent<ColorControls> RenderControls(
        double temperature = ColorizationOptions.DefaultTemperature, double saturation = 1.0,
        int renderSize = ColorizationOptions.DefaultRenderSize, bool disabled = false, string id = "a1b2c3d4") =>
        Context.Render<ColorControls>(p => p
            .Add(c => c.Id, id)
            .Add(c => c.Temperature, temperature)
            .Add(c => c.Saturation, saturation)
            .Add(c => c.RenderSize, renderSize)
            .Add(c => c.Disabled, disabled)
            .Add(c => c.StyleChanged, s => _styles.Add(s))
            .Add(c => c.RenderSizeChanged, s => _sizes.Add(s)));

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.05, 100.0)]
    [InlineData(0.38, 65.3)]
    [InlineData(0.525, 50.0)]
    public void Vividness_MapsLinearlyOntoTemperature(double temperature, double vividness)
    {
        Assert.Equal(vividness, ColorControls.TemperatureToVividness(temperature), precision: 1);
        Assert.Equal(temperature, ColorControls.VividnessToTemperature(vividness), precision: 3);
    }

    [Fact]
    public void DefaultTemperature_ShowsAboutSixtyFivePercentVividness()
    {
        var cut = RenderControls();

        var vividness = cut.Find("input[data-testid=vividness]");
        Assert.Equal("range", vividness.GetAttribute("type"));
        Assert.Equal("0", vividness.GetAttribute("min"));
        Assert.Equal("100", vividness.GetAttribute("max"));
        Assert.Equal("65.3", vividness.GetAttribute("value"));
        Assert.Equal("Vividness 65%", cut.Find("label[for=vividness-a1b2c3d4]").TextContent.Trim());
    }

    [Fact]
    public void SaturationSlider_RunsFromZeroToTwiceAndShowsItsValue()
    {
        var cut = RenderControls(saturation: 1.5);

        var saturation = cut.Find("input[data-testid=saturation]");
        Assert.Equal("0", saturation.GetAttribute("min"));
        Assert.Equal("2", saturation.GetAttribute("max"));
        Assert.Equal("0.05", saturation.GetAttribute("step"));
        Assert.Equal("1.5", saturation.GetAttribute("value"));
        Assert.Equal("Saturation 1.50×", cut.Find("label[for=saturation-a1b2c3d4]").TextContent.Trim());
    }

    [Fact]
    public void DetailSelect_ShowsTheCurrentSizeAndOffersTheFourLevels()
    {
        var cut = RenderControls(renderSize: 320);

        Assert.Equal("Fine (320 px)", cut.Find("[data-testid=detail]").TextContent.Trim());
        Assert.Contains("Higher detail runs the network again", cut.Markup);

        var options = OpenSelect(cut);
        Assert.Equal(["Standard (224 px)", "Fine (320 px)", "Finer (448 px)", "Finest (512 px)"],
            options.Select(o => o.TextContent.Trim()));
        Assert.Equal("true", options[1].GetAttribute("aria-selected"));
    }

    [Fact]
    public void MovingVividness_RaisesStyleChangedWithTheMappedTemperatureAndTheCurrentSaturation()
    {
        var cut = RenderControls(saturation: 1.25);

        cut.Find("input[data-testid=vividness]").Input("80");

        var style = Assert.Single(_styles);
        Assert.Equal(ColorControls.VividnessToTemperature(80), style.Temperature);
        Assert.Equal(0.24, style.Temperature, precision: 4);
        Assert.Equal(1.25, style.Saturation);
        Assert.Empty(_sizes);
    }

    [Fact]
    public void MovingVividnessToTheEnds_GivesTheTemperatureLimits()
    {
        var cut = RenderControls();
        var vividness = cut.Find("input[data-testid=vividness]");

        vividness.Input("0");
        cut.Find("input[data-testid=vividness]").Input("100");

        Assert.Equal([1.0, 0.05], _styles.Select(s => s.Temperature));
    }

    [Fact]
    public void MovingSaturation_RaisesStyleChangedWithTheCurrentTemperature()
    {
        var cut = RenderControls(temperature: 0.2);

        cut.Find("input[data-testid=saturation]").Input("0.35");

        var style = Assert.Single(_styles);
        Assert.Equal(0.2, style.Temperature);
        Assert.Equal(0.35, style.Saturation);
        Assert.Empty(_sizes);
    }

    [Fact]
    public void PickingAnotherDetail_RaisesRenderSizeChanged()
    {
        var cut = RenderControls();

        OpenSelect(cut).Single(o => o.TextContent.Trim() == "Finest (512 px)").Click();

        Assert.Equal([512], _sizes);
        Assert.Empty(_styles);
    }

    [Fact]
    public void Disabled_DisablesEveryControl()
    {
        var cut = RenderControls(disabled: true);

        Assert.True(cut.Find("input[data-testid=vividness]").HasAttribute("disabled"));
        Assert.True(cut.Find("input[data-testid=saturation]").HasAttribute("disabled"));
        Assert.Equal("true", cut.Find("[data-testid=detail]").GetAttribute("aria-disabled"));
        Assert.Empty(OpenSelect(cut));
        Assert.Empty(_sizes);
    }

    [Fact]
    public void Enabled_LeavesEveryControlUsable()
    {
        var cut = RenderControls(disabled: false);

        Assert.False(cut.Find("input[data-testid=vividness]").HasAttribute("disabled"));
        Assert.False(cut.Find("input[data-testid=saturation]").HasAttribute("disabled"));
        Assert.NotEqual("true", cut.Find("[data-testid=detail]").GetAttribute("aria-disabled"));
    }

    [Fact]
    public void EveryControl_IsLabelled()
    {
        var cut = RenderControls();

        foreach (var (testId, name) in new[] { ("vividness", "Vividness"), ("saturation", "Saturation") })
        {
            var input = cut.Find($"input[data-testid={testId}]");
            Assert.Equal(name, input.GetAttribute("aria-label"));
            var label = cut.Find($"label[for='{input.Id}']");
            Assert.StartsWith(name, label.TextContent.Trim());
        }

        var detail = cut.Find("[data-testid=detail]");
        Assert.Equal("combobox", detail.GetAttribute("role"));
        Assert.Equal("Detail", detail.GetAttribute("aria-label"));
    }

    [Fact]
    public void TwoCardsControls_HaveTheirOwnElementIds()
    {
        var first = RenderControls(id: "first");
        var second = RenderControls(id: "second");

        Assert.Equal("vividness-first", first.Find("input[data-testid=vividness]").Id);
        Assert.Equal("vividness-second", second.Find("input[data-testid=vividness]").Id);
        Assert.Equal("saturation-second", second.Find("input[data-testid=saturation]").Id);
    }
}
