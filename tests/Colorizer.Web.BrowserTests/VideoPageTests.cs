using System.Text.RegularExpressions;
using Colorizer.Testing;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

[Trait("Category", "Browser")]
public sealed partial class VideoPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const int Frames = 48, Width = 320, Height = 240;
    private const double Fps = 24;

    // Long enough to need cutting short on a phone.
    private const string LongName = "e2e clip of the family reels from the summer holiday at the seaside in 1962, reel 4 of 7";

    [Fact]
    public async Task UploadedVideo_GetsAJobPage_ThatSurvivesAReload_AndDownloadsAsMp4()
    {
        using var work = new TemporaryDirectory();
        string input = work.File(LongName + ".avi");
        TestVideos.Write(input, Frames, Width, Height, Fps, TestVideos.Panning(Width, Height, 2, noise: 2));
        var page = await fixture.OpenAsync();
        try
        {
            // From the app bar to the upload, then to the job's own address.
            await page.Locator("[data-testid=nav-videos]").ClickAsync();
            await page.WaitForURLAsync(VideoPageAddress());
            // Settings chosen before the upload go with the job: the network on every frame, dust repaired.
            var keyFrames = page.Locator("[data-testid=video-key-frames]");
            await keyFrames.UncheckAsync(new() { Force = true });
            await Assertions.Expect(keyFrames).ToHaveAttributeAsync("aria-checked", "false");
            var dust = page.Locator("[data-testid=video-repair-dust]");
            await dust.CheckAsync(new() { Force = true });
            await Assertions.Expect(dust).ToHaveAttributeAsync("aria-checked", "true");
            await page.Locator("#video-upload-zone input[type=file]").SetInputFilesAsync(input);
            await page.WaitForURLAsync(JobAddress(), new() { Timeout = 30_000 });
            string jobAddress = page.Url;
            var job = page.Locator("[data-testid=video-job]");
            await Assertions.Expect(job.Locator("[data-testid=video-name]")).ToHaveAttributeAsync("title", LongName + ".avi");
            await Assertions.Expect(job).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });

            // A reload (a new circuit) shows the same finished job.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-circuit=ready]", new() { Timeout = 30_000 });
            Assert.Equal(jobAddress, page.Url);
            await Assertions.Expect(job).ToHaveAttributeAsync("data-state", "done");
            await Assertions.Expect(page.Locator("[data-testid=video-facts]")).ToContainTextAsync($"{Width} × {Height} px");
            await Assertions.Expect(job.Locator("[data-testid=video-settings-used]")).ToContainTextAsync("network on every frame · repairs: dust");

            // The result plays in the browser (H.264 MP4 from the app's own address, under its Content-Security-Policy);
            // Chromium cannot play the original Motion-JPEG AVI, and the page says so.
            await page.WaitForFunctionAsync(
                "() => { const v = document.querySelector('[data-testid=video-result-player]'); return v && v.readyState >= 1 && v.videoWidth > 0; }",
                null, new() { Timeout = 15_000 });
            Assert.Equal(Width, await page.Locator("[data-testid=video-result-player]").EvaluateAsync<int>("v => v.videoWidth"));
            await Assertions.Expect(page.Locator("[data-testid=original-unplayable]")).ToBeVisibleAsync(new() { Timeout = 15_000 });

            // Any frame under the compare divider: pick frame 10 by number.
            var frame = page.Locator("[data-testid=frame-view]");
            await Assertions.Expect(frame).ToHaveAttributeAsync("data-frame", (Frames / 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var number = page.Locator("input[data-testid=frame-number]");
            await number.FillAsync("10");
            await number.PressAsync("Tab");
            await Assertions.Expect(frame).ToHaveAttributeAsync("data-frame", "10");
            await Assertions.Expect(frame.Locator("img.compare-after")).ToHaveAttributeAsync("src", new Regex("^data:image/jpeg;base64,"));

            // The download is the whole MP4: every frame, at the original size and rate.
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=video-download]").ClickAsync());
            Assert.Equal("e2e_clip_of_the_family_reels_from_the_summer_holiday_at_the_seaside_in_1962_reel-colorized.mp4", download.SuggestedFilename);
            string saved = work.File("downloaded.mp4");
            await download.SaveAsAsync(saved);
            var (frames, fps) = TestVideos.ReadAll(saved);
            try
            {
                Assert.Equal(Frames, frames.Count);
                Assert.All(frames, f => Assert.Equal(new Size(Width, Height), f.Size()));
                Assert.Equal(Fps, fps, 0.01);
            }
            finally
            {
                frames.ForEach(f => f.Dispose());
            }

            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder(), "video.png"), FullPage = true });
            // On a phone the page with the finished job fits the width, its long name cut short.
            foreach (int width in PageLayout.PhoneWidths)
            {
                await PageLayout.AssertFitsAsync(page, width, "the video page with a finished job");
                await PageLayout.AssertInsideAsync(job.Locator("[data-testid=video-name]"), job, $"the video's name at {width} px");
            }

            Assert.True(fixture.ConsoleErrors(page).Count == 0, string.Join("\n", fixture.ConsoleErrors(page)));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task UnknownJobAddress_SaysNotFoundOrExpired()
    {
        var page = await fixture.OpenAsync();
        try
        {
            await page.GotoAsync(fixture.BaseAddress.TrimEnd('/') + "/video/AAAAAAAAAAAAAAAAAAAAAA");
            await Assertions.Expect(page.Locator("[data-testid=video-not-found]")).ToContainTextAsync("not found or has expired");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [GeneratedRegex(@"/video$")]
    private static partial Regex VideoPageAddress();

    [GeneratedRegex(@"/video/[A-Za-z0-9_-]{22}$")]
    private static partial Regex JobAddress();
}
