using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Restoration;
using Colorizer.Core.Video;
using Colorizer.Web.Api;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Api;

/// <summary>The video API's state JSON for each state, from snapshots made by hand; and its switches.</summary>
public sealed class VideoJobResourceTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 2, 13, 0, 0, TimeSpan.Zero);

    private static VideoJobSnapshot Snapshot(VideoJobState state, VideoJobSettings? settings = null) =>
        new("AAAAAAAAAAAAAAAAAAAAAA", "film.mp4", 1234, state, 0, null, null, null, null, Created, null, null, TotalFrames: 480, Settings: settings);

    [Fact]
    public void Queued_SaysItsPlace_AndNothingElse()
    {
        var resource = VideoJobResource.From(Snapshot(VideoJobState.Queued) with { JobsAhead = 2, Note = "Waiting for a free slot." }, "/api/videos/x");

        Assert.Equal("queued", resource.State);
        Assert.Equal(new VideoQueueResource(2, "Waiting for a free slot."), resource.Queue);
        Assert.Null(resource.Progress);
        Assert.Null(resource.Result);
        Assert.Null(resource.Error);
    }

    [Fact]
    public void Running_SaysFramesSpeedAndEta_InWholeSeconds()
    {
        var running = Snapshot(VideoJobState.Running) with { Progress = new VideoProgress(120, 0, 23.456, TimeSpan.FromSeconds(15.2)) };

        var resource = VideoJobResource.From(running, "/api/videos/x");

        Assert.Equal("running", resource.State);
        Assert.Null(resource.Queue);
        // The container's count stands in while the engine does not know the total.
        Assert.Equal(new VideoProgressResource(120, 480, 23.46, 16), resource.Progress);
    }

    [Fact]
    public void Running_BeforeTheFirstFrame_AndWhileEstimating_HasNoEta()
    {
        Assert.Equal(new VideoProgressResource(0, 480, 0, null), VideoJobResource.From(Snapshot(VideoJobState.Running), "/u").Progress);
        var estimating = Snapshot(VideoJobState.Running) with { Progress = new VideoProgress(3, 480, 2, null) };
        Assert.Null(VideoJobResource.From(estimating, "/u").Progress!.EtaSeconds);
    }

    [Fact]
    public void Done_HasThePagesFacts_AndTheResultsAddress()
    {
        var done = Snapshot(VideoJobState.Done) with
        {
            Result = new VideoResult(48, 640, 480, 24, 10, 1, 2.5, 0.8, AudioKept: false, Warning: "No ffmpeg: the result is silent.") { KeyFrames = 10 },
        };

        var result = VideoJobResource.From(done, "/base/api/videos/x").Result!;

        Assert.Equal(48, result.Frames);
        Assert.Equal(2.0, result.DurationSeconds);
        Assert.Equal(10, result.NetworkPasses);
        Assert.Equal(10, result.KeyFrames);
        Assert.False(result.AudioKept);
        Assert.Equal("No ffmpeg: the result is silent.", result.Warning);
        Assert.Equal("/base/api/videos/x/result", result.ResultUrl);
        Assert.Equal("film-colorized.mp4", result.DownloadName);
    }

    [Theory]
    [InlineData(VideoJobState.Failed, "failed")]
    [InlineData(VideoJobState.Cancelled, "cancelled")]
    public void FailedOrCancelled_SaysWhy(VideoJobState state, string name)
    {
        var resource = VideoJobResource.From(Snapshot(state) with { Error = "Because." }, "/u");

        Assert.Equal(name, resource.State);
        Assert.Equal("Because.", resource.Error);
        Assert.Null(resource.Result);
    }

    [Fact]
    public void Settings_NameTheSizeByTheModelsKind()
    {
        var restored = ColorizationOptions.Default with
        {
            RenderSize = 320,
            Saturation = 1.2,
            Restoration = new RestorationOptions { Steps = RestorationSteps.Dust | RestorationSteps.Noise, Strength = 0.7 },
        };
        var eccv = VideoJobResource.From(Snapshot(VideoJobState.Queued, new VideoJobSettings(restored, Stabilize: false)), "/u").Settings;
        Assert.Equal(new VideoSettingsResource("eccv16", 320, null, 1.2, restored.Temperature, false, true, "dust,noise", 0.7), eccv);

        var ddcolor = VideoJobResource.From(Snapshot(VideoJobState.Queued, VideoJobSettings.For(ModelCatalogue.Get("ddcolor"))), "/u").Settings;
        Assert.Equal("ddcolor", ddcolor.Model);
        Assert.Null(ddcolor.RenderSize);
        Assert.Equal(ModelCatalogue.OnnxDefaultInputSize, ddcolor.ModelSize);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("on", true)]
    [InlineData("TRUE", true)]
    [InlineData(" off ", false)]
    [InlineData("False", false)]
    public void Switches_TakeTrueFalseOnOff(string? text, bool expected) =>
        Assert.Equal(expected, VideoApi.ParseSwitch(text, "Stabilize"));

    [Fact]
    public void Switches_RefuseAnythingElse_NamingTheOption()
    {
        var e = Assert.Throws<Core.InvalidColorizationOptionException>(() => VideoApi.ParseSwitch("yes", "KeyFrames"));
        Assert.Equal("KeyFrames", e.OptionName);
        Assert.Equal("keyFrames", ColorizeQuery.ParameterFor(e.OptionName));
    }
}

/// <summary>The video API's endpoints are the API's: rate limited per client.</summary>
public sealed class VideoApiEndpointTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    [Fact]
    public void EveryVideoApiEndpoint_RequiresTheApisRateLimit()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/videos", StringComparison.Ordinal) == true).ToList();

        Assert.Equal(4, endpoints.Count);
        Assert.All(endpoints, e => Assert.Equal(ApiRateLimiting.PolicyName, e.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName));
    }
}
