using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using Colorizer.Core.Models;
using Colorizer.Web.Components;

namespace Colorizer.Web.Tests.Components;

/// <summary>
/// The banner when the weights are not there (the first start offline): a short headline and one action on top,
/// everything else (addresses, size, hash, path, a command to copy, the web app's own settings) folded away.
/// </summary>
public sealed class ModelStatusBannerMissingWeightsTests : ComponentTestBase
{
    private const string ModelsDirectory = "/srv/colorizer/models";
    private const string TargetPath = "/srv/colorizer/models/colorization_release_v2.caffemodel";
    private const string ReleaseSha256 = "f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1";

    private static readonly SourceFailure[] Failures =
    [
        new(WeightsRelease.Official.Sources[0], "Name or service not known (people.eecs.berkeley.edu:443)"),
        new(WeightsRelease.Official.Sources[1], "Name or service not known (eecs.berkeley.edu:80)"),
        new(WeightsRelease.Official.Sources[2], "HTTP 404 Not Found"),
    ];

    private int _retries;

    private IRenderedComponent<ModelStatusBanner> RenderBanner(MissingWeightsCause cause, Func<Task>? retry = null)
    {
        var missing = WeightsRelease.Official.MissingAt(TargetPath, cause, cause == MissingWeightsCause.DownloadFailed ? Failures : null);
        // The message is the long one Core writes for logs and the CLI; the banner must not lead with it.
        var state = new ModelState(ModelStatus.Failed, Message: "Could not download … " + missing.Describe(), MissingWeights: missing);
        return Context.Render<ModelStatusBanner>(p => p
            .Add(b => b.State, state)
            .Add(b => b.ModelsDirectory, ModelsDirectory)
            .Add(b => b.OnRetry, retry ?? (() => { _retries++; return Task.CompletedTask; })));
    }

    private static string Text(IElement element) => Regex.Replace(element.TextContent, @"\s+", " ").Trim();

    [Fact]
    public void DownloadFailed_ShowsAShortHeadlineAndTheOneThingToDo()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed);
        var banner = cut.Find("[data-testid=model-status]");
        string summary = Text(cut.Find(".model-status-summary"));

        Assert.Equal("failed", banner.GetAttribute("data-status"));
        Assert.Equal("The model weights could not be downloaded.", Text(cut.Find("[data-testid=model-status-headline]")));
        Assert.Equal(
            $"Download colorization_release_v2.caffemodel (129 MB) and save it as {TargetPath}; the app loads it as soon as it is there.",
            Text(cut.Find("[data-testid=model-status-action]")));
        // What is in view is two lines and a button: no addresses, no hash, not the long message.
        int length = summary.Replace(TargetPath, "", StringComparison.Ordinal).Length;
        Assert.True(length < 180, $"the summary is {length} characters besides the path: {summary}");
        Assert.DoesNotContain("http", summary, StringComparison.Ordinal);
        Assert.DoesNotContain(ReleaseSha256, summary, StringComparison.Ordinal);
        Assert.Equal("Try again", Text(cut.Find("[data-testid=model-retry]")));
    }

    [Fact]
    public void Details_AreFoldedAway_UntilTheToggleOpensThem()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed);
        var toggle = cut.Find("[data-testid=model-status-details-toggle]");

        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));
        Assert.Equal("model-status-details", toggle.GetAttribute("aria-controls"));
        Assert.Contains("invisible", cut.Find("#model-status-details").ClassList);

        toggle.Click();

        Assert.Equal("true", cut.Find("[data-testid=model-status-details-toggle]").GetAttribute("aria-expanded"));
        Assert.DoesNotContain("invisible", cut.Find("#model-status-details").ClassList);
    }

    [Fact]
    public void Details_GiveTheAddressesSizeHashPathAndWhyEachSourceFailed()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed);
        string details = Text(cut.Find("#model-status-details"));

        Assert.Equal(ReleaseSha256, cut.Find("[data-testid=model-weights-sha256]").TextContent);
        Assert.Equal(TargetPath, cut.Find("[data-testid=model-weights-path]").TextContent);
        Assert.Contains("128,946,764 bytes", details, StringComparison.Ordinal);
        Assert.Equal(
            WeightsRelease.Official.Sources.Select(s => s.AbsoluteUri),
            cut.FindAll("[data-testid=model-weights-sources] a").Select(a => a.GetAttribute("href")));
        Assert.Equal(
            [
                "https://people.eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel: Name or service not known (people.eecs.berkeley.edu:443)",
                "http://eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel: Name or service not known (eecs.berkeley.edu:80)",
                "https://www.dropbox.com/s/dx0qvhhp5hbcx7z/colorization_release_v2.caffemodel?dl=1: HTTP 404 Not Found",
            ],
            cut.FindAll("[data-testid=model-download-failures] li").Select(Text));
    }

    [Fact]
    public void Details_HoldACommandToCopy_WithTheRealPathAndHash()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed);

        Assert.Equal(
            "curl -fL --create-dirs -o '/srv/colorizer/models/colorization_release_v2.caffemodel.download' " +
            "'https://people.eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel' && " +
            "echo 'f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1  /srv/colorizer/models/colorization_release_v2.caffemodel.download' | sha256sum -c && " +
            "mv '/srv/colorizer/models/colorization_release_v2.caffemodel.download' '/srv/colorizer/models/colorization_release_v2.caffemodel'",
            cut.Find("pre[data-testid=model-install-command]").TextContent);
    }

    [Fact]
    public void Details_NameTheWebAppsOwnSettings_NotTheCliFlag()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed);
        string setting = Text(cut.Find("[data-testid=model-folder-setting]"));

        Assert.Contains("Colorizer:ModelsDirectory", setting, StringComparison.Ordinal);
        Assert.Contains("Colorizer__ModelsDirectory", setting, StringComparison.Ordinal);
        Assert.Contains("COLORIZER_MODELS", setting, StringComparison.Ordinal);
        Assert.DoesNotContain("--models", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("--offline", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void DownloadSwitchedOff_SaysTheWeightsAreMissing_AndWhichSettingSwitchedItOff()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadSwitchedOff);

        Assert.Equal("The model weights are missing.", Text(cut.Find("[data-testid=model-status-headline]")));
        Assert.Contains("Colorizer:DownloadWeights", Text(cut.Find("#model-status-details")), StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=model-download-failures]"));
    }

    [Fact]
    public void TryAgain_CallsTheRetry()
    {
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed);

        cut.Find("[data-testid=model-retry]").Click();

        Assert.Equal(1, _retries);
    }

    [Fact]
    public void TryAgain_IsDisabledWhileItsRetryRuns()
    {
        var retry = new TaskCompletionSource();
        int calls = 0;
        var cut = RenderBanner(MissingWeightsCause.DownloadFailed, () => { calls++; return retry.Task; });

        cut.Find("[data-testid=model-retry]").Click();

        Assert.Equal(1, calls);
        Assert.True(cut.Find("[data-testid=model-retry]").HasAttribute("disabled"));
        retry.SetResult();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=model-retry]").HasAttribute("disabled")));
    }

    [Fact]
    public void OtherFailures_HaveTryAgainToo()
    {
        var cut = Context.Render<ModelStatusBanner>(p => p
            .Add(b => b.State, new ModelState(ModelStatus.Failed, Message: "/srv/colorizer/models/colorization_release_v2.caffemodel is truncated."))
            .Add(b => b.OnRetry, () => { _retries++; return Task.CompletedTask; }));

        cut.Find("[data-testid=model-retry]").Click();

        Assert.Equal(1, _retries);
        Assert.Empty(cut.FindAll("[data-testid=model-status-details-toggle]"));
    }
}
