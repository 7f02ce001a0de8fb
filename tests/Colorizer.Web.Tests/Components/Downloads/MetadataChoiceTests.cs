using Bunit;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Web.Components.Downloads;

namespace Colorizer.Web.Tests.Components.Downloads;

public sealed class MetadataChoiceTests : ComponentTestBase
{
    [Fact]
    public void Choice_ShowsKeepAllByDefault_AndOffersTheThreeModes()
    {
        var cut = Context.Render<MetadataChoice>();

        Assert.Contains("Photo details", cut.Markup);
        Assert.Equal("Keep all", cut.Find("input").GetAttribute("value"));
        var options = OpenSelect(cut);
        Assert.Equal(["Keep all", "Keep all but location", "Remove all"], options.Select(o => o.TextContent.Trim()));
    }

    [Theory]
    [InlineData("Remove all", MetadataMode.Strip)]
    [InlineData("Keep all but location", MetadataMode.StripLocation)]
    public void PickingAnOption_RaisesValueChangedWithItsMode(string label, MetadataMode expected)
    {
        MetadataMode? chosen = null;
        var cut = Context.Render<MetadataChoice>(p => p
            .Add(c => c.Value, MetadataMode.Keep)
            .Add(c => c.ValueChanged, mode => chosen = mode));

        OpenSelect(cut).Single(o => o.TextContent.Trim() == label).Click();

        Assert.Equal(expected, chosen);
    }
}
