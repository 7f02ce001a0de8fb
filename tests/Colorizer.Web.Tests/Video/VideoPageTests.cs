using Bunit;
using Colorizer.Core;
using Colorizer.Core.Video;
using Colorizer.Testing;
using Colorizer.Web.Components.Pages;
using Colorizer.Web.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Video;

public sealed class VideoPageTests : VideoComponentTestBase
{
    private static readonly TemporaryDirectory Models = new();

    public VideoPageTests()
        : base(services =>
        {
            services.AddLogging();
            // A model host that is never started: the page only shows its state.
            services.AddColorizerCore(o =>
            {
                o.ModelsDirectory = Models.Path;
                o.DownloadWeights = false;
            });
        })
    {
    }


    private IRenderedComponent<VideoPage> RenderPage(string? id) => Context.Render<VideoPage>(p => p.Add(c => c.Id, id));

    [Fact]
    public void WithoutAnId_OffersTheUpload_WithTheVideoLimit()
    {
        Jobs.MaxFileBytes = 500L * 1024 * 1024;
        var cut = RenderPage(null);

        Assert.Equal("Colorize a video", cut.Find("h1").TextContent.Trim());
        var input = cut.Find("#video-upload-zone input[type=file]");
        Assert.Contains(".mp4", input.GetAttribute("accept"));
        Assert.Contains(".webm", input.GetAttribute("accept"));
        Assert.Contains("up to 500 MB", cut.Find("#video-upload-zone").TextContent);
        Assert.Contains("1 hour", cut.Markup);
    }

    [Fact]
    public void TheChosenModel_GoesWithTheUpload()
    {
        var cut = RenderPage(null);

        cut.Find("[data-testid=video-model] .mud-select .mud-input-control").MouseDown();
        Popovers.FindAll("[role=option]")
            .Single(o => o.TextContent.Trim().StartsWith("DeOldify, stable", StringComparison.Ordinal)).Click();
        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>()
            .UploadFiles(InputFileContent.CreateFromBinary([1, 2, 3], "clip.mp4"));

        cut.WaitForAssertion(() => Assert.Equal("deoldify-stable", Jobs.RequestedModel?.Id));
        Assert.Contains("Uploads are not part of this fake.", cut.Find("[data-testid=video-upload-error]").TextContent);
    }

    [Fact]
    public void TheChosenSettings_GoWithTheUpload()
    {
        var cut = RenderPage(null);

        cut.Find("[data-testid=video-model] .mud-select .mud-input-control").MouseDown();
        Popovers.FindAll("[role=option]").Single(o => o.TextContent.Trim().StartsWith("DDColor ·", StringComparison.Ordinal)).Click();
        cut.FindAll(".video-settings-row .mud-select .mud-input-control")[1].MouseDown();
        Popovers.FindAll("[role=option]").Single(o => o.TextContent.Trim() == "Fine (384 px)").Click();
        cut.Find("input[data-testid=video-saturation]").Input("1.5");
        cut.Find("input[data-testid=video-stabilize]").Change(false);
        cut.Find("input[data-testid=video-key-frames]").Change(false);
        cut.Find("input[data-testid=video-repair-dust]").Change(true);
        cut.Find("input[data-testid=video-repair-noise]").Change(true);
        cut.Find("input[data-testid=video-repair-strength]").Input("0.8");
        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>()
            .UploadFiles(InputFileContent.CreateFromBinary([1, 2, 3], "clip.mp4"));

        cut.WaitForAssertion(() => Assert.NotNull(Jobs.RequestedSettings));
        var settings = Jobs.RequestedSettings!;
        Assert.Equal(("ddcolor", 384, 1.5), (settings.Colorization.Model, settings.Colorization.RenderSize, settings.Colorization.Saturation));
        Assert.False(settings.Stabilize);
        Assert.False(settings.KeyFrames);
        Assert.Equal(Core.Restoration.RestorationSteps.Dust | Core.Restoration.RestorationSteps.Noise, settings.Colorization.Restoration.Steps);
        Assert.Equal(0.8, settings.Colorization.Restoration.Strength);
        settings.Validate();
    }

    [Fact]
    public void TheRepairStrength_IsOnlyForTheStepsThatUseIt_AndTheDefaultsAreTheEngines()
    {
        var cut = RenderPage(null);

        Assert.True(cut.Find("input[data-testid=video-repair-strength]").HasAttribute("disabled"));
        Assert.True(cut.Find("input[data-testid=video-stabilize]").HasAttribute("checked") || cut.Find("input[data-testid=video-stabilize]").GetAttribute("aria-checked") == "true");
        cut.Find("input[data-testid=video-repair-contrast]").Change(true);
        Assert.False(cut.Find("input[data-testid=video-repair-strength]").HasAttribute("disabled"));
        cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>()
            .UploadFiles(InputFileContent.CreateFromBinary([1, 2, 3], "clip.mp4"));
        cut.WaitForAssertion(() => Assert.NotNull(Jobs.RequestedSettings));
        Assert.Equal(VideoJobSettings.Default with
        {
            Colorization = VideoJobSettings.Default.Colorization with { Restoration = new Core.Restoration.RestorationOptions { Steps = Core.Restoration.RestorationSteps.Contrast } },
        }, Jobs.RequestedSettings);
    }

    [Fact]
    public void AnUnknownOrExpiredId_SaysSo_AndLinksToANewUpload()
    {
        var cut = RenderPage(VideoJobIds.New());

        Assert.Contains("not found or has expired", cut.Find("[data-testid=video-not-found]").TextContent);
        Assert.Equal("Video not found", cut.Find("h1").TextContent.Trim());
        Assert.Contains(cut.FindAll("a"), a => a.GetAttribute("href") == "video");
    }

    [Fact]
    public void TheJob_UpdatesLive_FromQueuedToRunningToDone_AndDisappearsWhenItExpires()
    {
        var job = FakeVideoJobs.Job(VideoJobState.Queued) with { JobsAhead = 1 };
        Jobs.Set(job);
        var cut = RenderPage(job.Id);
        Assert.Equal("Video: clip.avi", cut.Find("h1").TextContent.Trim());
        Assert.Equal("queued", cut.Find("[data-testid=video-job]").GetAttribute("data-state"));

        Jobs.Set(job with { State = VideoJobState.Running, Progress = new VideoProgress(12, 48, 6, TimeSpan.FromSeconds(6)) });
        cut.WaitForAssertion(() => Assert.StartsWith("12 / 48 frames", cut.Find("[data-testid=video-progress]").TextContent.Trim(), StringComparison.Ordinal));

        Jobs.Set(job with { State = VideoJobState.Running, Progress = new VideoProgress(36, 48, 6, TimeSpan.FromSeconds(2)) });
        cut.WaitForAssertion(() => Assert.StartsWith("36 / 48 frames", cut.Find("[data-testid=video-progress]").TextContent.Trim(), StringComparison.Ordinal));

        cut.Find("[data-testid=video-cancel]").Click();
        Assert.Equal([job.Id], Jobs.Cancelled);

        Jobs.Set(job with { State = VideoJobState.Done, Result = FakeVideoJobs.Result() });
        cut.WaitForAssertion(() => Assert.Equal("done", cut.Find("[data-testid=video-job]").GetAttribute("data-state")));
        Assert.NotNull(cut.Find("[data-testid=video-result-player]"));

        Jobs.Remove(job.Id);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=video-not-found]")));
    }
}
