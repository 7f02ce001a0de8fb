using System.Text.RegularExpressions;
using Bunit;
using Colorizer.Core.Models;
using Colorizer.Web.Components;

namespace Colorizer.Web.Tests.Components;

public sealed class ModelStatusBannerTests : ComponentTestBase
{
    private const string ModelsDirectory = "/srv/colorizer/models";

    private IRenderedComponent<ModelStatusBanner> RenderBanner(ModelState state) =>
        Context.Render<ModelStatusBanner>(p => p
            .Add(b => b.State, state)
            .Add(b => b.ModelsDirectory, ModelsDirectory));

    [Fact]
    public void Ready_SaysTheModelIsReady()
    {
        var banner = RenderBanner(new ModelState(ModelStatus.Ready)).Find("[data-testid=model-status]");

        Assert.Equal("ready", banner.GetAttribute("data-status"));
        Assert.Equal("The model is ready.", banner.TextContent.Trim());
        Assert.Contains("mud-alert-text-success", banner.ClassList);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.42, 42)]
    [InlineData(1.0, 100)]
    public void Downloading_ShowsHowFarTheDownloadIs(double fraction, int percent)
    {
        var cut = RenderBanner(new ModelState(ModelStatus.Downloading, fraction));
        var banner = cut.Find("[data-testid=model-status]");

        Assert.Equal("downloading", banner.GetAttribute("data-status"));
        Assert.Matches($@"^Downloading the model weights: {percent}\s?%$", banner.TextContent.Trim());
        Assert.Equal(percent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void DownloadingBeforeTheSizeIsKnown_ShowsZeroPercent()
    {
        var cut = RenderBanner(new ModelState(ModelStatus.Downloading, DownloadFraction: null));

        Assert.Matches(@"Downloading the model weights: 0\s?%", cut.Find("[data-testid=model-status]").TextContent);
        Assert.Equal("0", cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void Failed_ShowsTheMessageSayingWhatToDo()
    {
        const string message = "colorization_release_v2.caffemodel is missing from /srv/colorizer/models. " +
                               "Download it with scripts/download-models.sh, or set Colorizer:AllowDownload to true.";
        var cut = RenderBanner(new ModelState(ModelStatus.Failed, Message: message));
        var banner = cut.Find("[data-testid=model-status]");

        Assert.Equal("failed", banner.GetAttribute("data-status"));
        Assert.Contains("mud-alert-text-error", banner.ClassList);
        Assert.Equal("The model is not available.", cut.Find("[data-testid=model-status-headline]").TextContent);
        Assert.Equal(message, cut.Find("[data-testid=model-status-message]").TextContent);
        Assert.Equal($"The model is not available. {message} Try again", Regex.Replace(banner.TextContent, @"\s+", " ").Trim());
    }

    [Fact]
    public void FailedWithMarkupInTheMessage_ShowsItAsText()
    {
        const string message = "<img src=x onerror=alert(1)> could not be read.";
        var cut = RenderBanner(new ModelState(ModelStatus.Failed, Message: message));

        Assert.Empty(cut.FindAll("img"));
        Assert.Contains(message, cut.Find("[data-testid=model-status]").TextContent);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", cut.Markup);
    }

    [Theory]
    [InlineData(ModelStatus.NotStarted)]
    [InlineData(ModelStatus.Loading)]
    public void NotReadyYet_SaysItIsLoadingFromTheModelsFolder(ModelStatus status)
    {
        var banner = RenderBanner(new ModelState(status)).Find("[data-testid=model-status]");

        Assert.Equal("loading", banner.GetAttribute("data-status"));
        Assert.Equal($"Loading the model from {ModelsDirectory}…", banner.TextContent.Trim());
    }

    [Fact]
    public void StateChange_ReplacesTheBanner()
    {
        var cut = RenderBanner(new ModelState(ModelStatus.Downloading, 0.5));

        cut.Render(p => p.Add(b => b.State, new ModelState(ModelStatus.Ready)));

        var banner = Assert.Single(cut.FindAll("[data-testid=model-status]"));
        Assert.Equal("ready", banner.GetAttribute("data-status"));
        Assert.Empty(cut.FindAll("[role=progressbar]"));
    }
}
