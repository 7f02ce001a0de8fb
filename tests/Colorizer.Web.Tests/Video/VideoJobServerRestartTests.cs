using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Video;

/// <summary>A web video job across a stop and a start of the whole test server on the same storage folder.</summary>
public sealed class VideoJobServerRestartTests
{
    /// <summary>The app on a given video storage folder, in one-second segments.</summary>
    private sealed class RestartableFactory(string storage)
        : ColorizerWebFactory(new Dictionary<string, string?> { ["Video:StorageDirectory"] = storage, ["Video:SegmentSeconds"] = "1" })
    {
        public VideoJobService Videos => Services.GetRequiredService<VideoJobService>();
    }

    [Fact]
    public async Task AJobRunningWhenTheServerStops_CarriesOnWhenItStartsAgain_AndItsPageAndResultAreServed()
    {
        using var work = new TemporaryDirectory();
        string storage = work.File("videos"), clip = work.File("film.avi");
        TestVideos.Write(clip, 240, 160, 120, 24, TestVideos.Panning(160, 120, 1, noise: 2));
        string id;
        using (var first = new RestartableFactory(storage))
        {
            using var client = await first.CreateReadyClientAsync();
            await using (var stream = File.OpenRead(clip))
                id = (await first.Videos.CreateAsync("Old film.avi", stream)).Id;
            await Waiting.UntilAsync(() => first.Videos.Find(id)?.Progress?.FramesDone >= 60, "two segments done", TimeSpan.FromSeconds(120));
        }

        using var second = new RestartableFactory(storage);
        using var restarted = await second.CreateReadyClientAsync();
        using (var page = await restarted.GetAsync($"/video/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Old film.avi", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await Waiting.UntilAsync(() => second.Videos.Find(id)?.IsFinished == true, "the job to finish", TimeSpan.FromSeconds(180));
        var done = second.Videos.Find(id)!;
        Assert.Equal(VideoJobState.Done, done.State);
        Assert.True(done.Result!.ResumedFrames >= 24, $"{done.Result.ResumedFrames} frames were kept");

        using var result = await restarted.GetAsync($"/video/{id}/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        string saved = work.File("result.mp4");
        await File.WriteAllBytesAsync(saved, await result.Content.ReadAsByteArrayAsync());
        var (frames, fps) = TestVideos.ReadAll(saved);
        try
        {
            Assert.Equal(240, frames.Count);
            Assert.Equal(24, fps, 0.01);
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }
}
