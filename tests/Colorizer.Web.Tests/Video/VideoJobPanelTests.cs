using Bunit;
using Colorizer.Core.Video;
using Colorizer.Web.Components.Video;
using Colorizer.Web.Video;

namespace Colorizer.Web.Tests.Video;

public sealed class VideoJobPanelTests : VideoComponentTestBase
{
    private readonly List<string> _cancelled = [];


    private IRenderedComponent<VideoJobPanel> RenderPanel(VideoJobSnapshot job)
    {
        Jobs.Set(job);
        return Context.Render<VideoJobPanel>(p => p
            .Add(c => c.Job, job)
            .Add(c => c.RetainFinishedFor, TimeSpan.FromHours(1))
            .Add(c => c.OnCancel, id => _cancelled.Add(id)));
    }

    [Fact]
    public void Running_ShowsFramesDoneOfTheTotal_SpeedAndTimeLeft_WithABarAndCancel()
    {
        var job = FakeVideoJobs.Job(VideoJobState.Running) with { Progress = new VideoProgress(12, 48, 3.4, TimeSpan.FromSeconds(10.6)) };
        var cut = RenderPanel(job);

        Assert.Equal("running", cut.Find("[data-testid=video-job]").GetAttribute("data-state"));
        Assert.Equal("12 / 48 frames · 3.4 fps · ETA 0:11", cut.Find("[data-testid=video-progress]").TextContent.Trim());
        Assert.Equal("status", cut.Find("[data-testid=video-progress]").GetAttribute("role"));
        Assert.Equal("25", cut.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
        Assert.Equal("Colorizing", cut.Find("[data-testid=video-state]").TextContent.Trim());
        Assert.Contains("clip.avi", cut.Find("[data-testid=video-name]").TextContent);
        Assert.Empty(cut.FindAll("video"));

        var cancel = cut.Find("[data-testid=video-cancel]");
        Assert.Equal("Cancel colorizing clip.avi", cancel.GetAttribute("aria-label"));
        cancel.Click();
        Assert.Equal([job.Id], _cancelled);
    }

    [Fact]
    public void Running_BeforeTheFirstFrame_ShowsZeroOfTheAnnouncedTotal()
    {
        var cut = RenderPanel(FakeVideoJobs.Job(VideoJobState.Running));

        Assert.Equal("0 / 48 frames · starting", cut.Find("[data-testid=video-progress]").TextContent.Trim());
    }

    [Theory]
    [InlineData(2, null, "Waiting: 2 videos ahead of this one. 0 / 48 frames.")]
    [InlineData(1, null, "Waiting: 1 video ahead of this one. 0 / 48 frames.")]
    [InlineData(0, "Waiting for the colorization model to load.", "Waiting for the colorization model to load. 0 / 48 frames.")]
    public void Queued_SaysWhatItWaitsFor(int ahead, string? note, string expected)
    {
        var cut = RenderPanel(FakeVideoJobs.Job(VideoJobState.Queued) with { JobsAhead = ahead, Note = note });

        Assert.Equal("queued", cut.Find("[data-testid=video-job]").GetAttribute("data-state"));
        Assert.Equal(expected, cut.Find("[data-testid=video-progress]").TextContent.Trim());
        Assert.NotNull(cut.Find("[data-testid=video-cancel]"));
    }

    [Fact]
    public void Done_ShowsTheFacts_ThePlayers_TheDownload_AndAFrameComparison()
    {
        var job = FakeVideoJobs.Job(VideoJobState.Done) with
        {
            Result = FakeVideoJobs.Result(),
            FinishedAt = new DateTimeOffset(2026, 5, 1, 12, 5, 0, TimeSpan.Zero),
            ExpiresAt = new DateTimeOffset(2026, 5, 1, 13, 5, 0, TimeSpan.Zero),
        };
        var cut = RenderPanel(job);

        Assert.Equal("done", cut.Find("[data-testid=video-job]").GetAttribute("data-state"));
        Assert.Empty(cut.FindAll("[data-testid=video-cancel]"));
        var facts = cut.Find("[data-testid=video-facts]").TextContent;
        Assert.Contains("Frames48", facts);
        Assert.Contains("160 × 120 px", facts);
        Assert.Contains("24 fps", facts);
        Assert.Contains("Length0:02", facts);
        Assert.Contains("kept from the original", facts);
        Assert.Contains("40 (8 near-identical frames reused a prediction)", facts);
        Assert.Contains("Scene cuts1", facts);
        Assert.Contains("colour steadiness: 75 % less flicker than frame by frame", facts);
        Assert.Empty(cut.FindAll("[data-testid=video-warning]"));

        var download = cut.Find("[data-testid=video-download]");
        Assert.Equal("A", download.TagName);
        Assert.Equal($"video/{job.Id}/result?download=true", download.GetAttribute("href"));
        Assert.Equal("clip-colorized.mp4", download.GetAttribute("download"));

        var result = cut.Find("[data-testid=video-result-player]");
        Assert.Equal($"video/{job.Id}/result", result.GetAttribute("src"));
        Assert.True(result.HasAttribute("controls"));
        Assert.Equal("Colorized: clip.avi", result.GetAttribute("aria-label"));
        var original = cut.Find("[data-testid=video-original-player]");
        Assert.Equal($"video/{job.Id}/original", original.GetAttribute("src"));
        Assert.Equal("Original: clip.avi", original.GetAttribute("aria-label"));
        // The players read in the same order as the frame comparison's halves: original, then colorized.
        Assert.Equal(["Original", "Colorized"], cut.FindAll(".video-players figcaption").Select(f => f.TextContent.Trim()));

        // The comparison starts in the middle of the video and follows the frame picked.
        cut.WaitForAssertion(() => Assert.Equal("24", cut.Find("[data-testid=frame-view]").GetAttribute("data-frame")));
        Assert.StartsWith("data:image/jpeg;base64,", cut.Find("[data-testid=frame-view] img.compare-before").GetAttribute("src"), StringComparison.Ordinal);
        Assert.Equal("Colorized: clip.avi, frame 24", cut.Find("[data-testid=frame-view] img.compare-after").GetAttribute("alt"));
        
        cut.Find("input[data-testid=frame-number]").Change("40");
        cut.WaitForAssertion(() => Assert.Equal("40", cut.Find("[data-testid=frame-view]").GetAttribute("data-frame")));
        cut.Find("button[aria-label='Next frame']").Click();
        cut.WaitForAssertion(() => Assert.Equal("41", cut.Find("[data-testid=frame-view]").GetAttribute("data-frame")));
        Assert.Equal([23, 39, 40], Jobs.FramesRead);

        Assert.Contains("2026-05-01 13:05 UTC (1 hour after it finished)", cut.Find("[data-testid=video-expiry]").TextContent);
    }

    [Fact]
    public void TheSettingsOfTheJob_AreShown_AndAJobCarriedOnAfterARestart_SaysHowMuchWasKept()
    {
        var settings = new VideoJobSettings(Core.Colorization.ColorizationOptions.For(Core.Models.Catalogue.ModelCatalogue.Get("ddcolor")) with
        {
            Saturation = 1.25,
            Restoration = new Core.Restoration.RestorationOptions { Steps = Core.Restoration.RestorationSteps.Dust | Core.Restoration.RestorationSteps.Noise, Strength = 0.7 },
        }, Stabilize: false, KeyFrames: false);
        var cut = RenderPanel(FakeVideoJobs.Job(VideoJobState.Done) with
        {
            Settings = settings,
            Result = FakeVideoJobs.Result() with { ResumedFrames = 24 },
        });

        Assert.Equal("DDColor · detail 256 px · saturation 1.25× · frame by frame · network on every frame · repairs: dust,noise (strength 0.7)",
            cut.Find("[data-testid=video-settings-used]").TextContent.Trim());
        Assert.Equal("24 frames were kept from before a restart of the server", cut.Find("[data-testid=video-resumed]").TextContent.Trim());

        var plain = RenderPanel(FakeVideoJobs.Job(VideoJobState.Done) with { Result = FakeVideoJobs.Result() });
        Assert.Empty(plain.FindAll("[data-testid=video-resumed]"));
        Assert.Contains("key frames", plain.Find("[data-testid=video-settings-used]").TextContent);
    }

    [Fact]
    public void Done_WithoutFfmpeg_SaysTheResultIsSilent_AndWhy()
    {
        const string warning = "ffmpeg was not found: the result is silent and uses MPEG-4 Part 2 instead of H.264. Install ffmpeg to keep the audio.";
        var cut = RenderPanel(FakeVideoJobs.Job(VideoJobState.Done) with { Result = FakeVideoJobs.Result(audioKept: false, warning) });

        Assert.Equal(warning, cut.Find("[data-testid=video-warning]").TextContent.Trim());
        Assert.Contains("the result is silent", cut.Find("[data-testid=video-audio]").TextContent);
    }

    [Fact]
    public void Done_WhenTheBrowserCannotPlayTheOriginal_SaysSo()
    {
        var cut = RenderPanel(FakeVideoJobs.Job(VideoJobState.Done) with { Result = FakeVideoJobs.Result() });

        cut.Find("[data-testid=video-original-player]").TriggerEvent("onerror", new Microsoft.AspNetCore.Components.Web.ErrorEventArgs());

        Assert.Empty(cut.FindAll("[data-testid=video-original-player]"));
        Assert.Contains("cannot play the original's format (.avi)", cut.Find("[data-testid=original-unplayable]").TextContent);
        Assert.NotNull(cut.Find("[data-testid=video-result-player]"));
    }

    [Theory]
    [InlineData(VideoJobState.Failed, "clip.avi ends after 20 of its 48 frames: it is truncated or damaged.", "mud-alert-text-error")]
    [InlineData(VideoJobState.Cancelled, "Cancelled.", "mud-alert-text-warning")]
    public void FailedOrCancelled_ShowsTheReason_AndNothingToPlay(VideoJobState state, string error, string alertClass)
    {
        var cut = RenderPanel(FakeVideoJobs.Job(state) with { Error = error });

        var alert = cut.Find("[data-testid=video-error]");
        Assert.Equal(error, alert.TextContent.Trim());
        Assert.Contains(alertClass, alert.ClassList);
        Assert.Empty(cut.FindAll("video"));
        Assert.Empty(cut.FindAll("[data-testid=video-download]"));
        Assert.Empty(cut.FindAll("[data-testid=video-cancel]"));
    }
}
