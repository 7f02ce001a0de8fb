using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Api;

/// <summary>A memory budget of 4 MiB, smaller than one 1024×768 request's charge (its upload and 7.9 MB of working set).</summary>
public sealed class TinyBudgetWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Admission:MemoryBudget"] = "4194304",
    ["Queue:Concurrency"] = "2",
});

/// <summary>The same budget, and a deadline of 1 s.</summary>
public sealed class TinyBudgetShortDeadlineWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Admission:MemoryBudget"] = "4194304",
    ["Queue:Deadline"] = "00:00:01",
});

/// <summary>Admission by memory: uploads waiting in line hold their bytes, and work waits for room.</summary>
public sealed class ColorizeApiMemoryBudgetTests(TinyBudgetWebFactory factory) : IClassFixture<TinyBudgetWebFactory>
{
    private const int Width = 1024, Height = 768;

    internal static byte[] Photo()
    {
        using var grey = TestImages.Grey(Width, Height);
        return TestImages.Encode(grey, ".png");
    }

    [Fact]
    public async Task TwoLargeRequests_RunOneAfterTheOther_TheWaitingUploadHoldingItsBytes_AndBothComeBackColorized()
    {
        using var client = await factory.CreateReadyClientAsync();
        var budget = factory.Services.GetRequiredService<MemoryBudget>();
        var queue = factory.Queue;
        byte[] photo = Photo();
        long working = (long)Width * Height * new AdmissionOptions().BytesPerPixel;
        await Waiting.UntilAsync(() => budget.InUse == 0, "the budget to be free");
        budget.ResetPeak();

        Task<HttpResponseMessage> first, second;
        long held;
        // Both running places are the test's: the first request, larger than the whole budget but alone, takes its
        // upload and working set in the budget and waits in the work queue holding them.
        using (queue.Enter())
        using (queue.Enter())
        {
            first = client.PostColorizeAsync(photo);
            await Waiting.UntilAsync(() => queue.Waiting == 1, "the first request to wait in the work queue");
            held = budget.InUse;
            Assert.True(held >= photo.Length + working, $"The waiting request holds {held} bytes; its upload is {photo.Length} and its working set {working}.");

            // The second does not fit beside it: it waits for room before its upload is buffered, and never reaches the queue.
            second = client.PostColorizeAsync(photo);
            await Waiting.UntilAsync(() => budget.Waiting == 1, "the second request to wait for room in the budget");
            await Task.Delay(200);
            Assert.Equal(1, queue.Waiting);
            Assert.Equal(held, budget.InUse);
            Assert.False(second.IsCompleted);
        }

        using var firstResponse = await first.WaitAsync(TimeSpan.FromSeconds(30));
        using var secondResponse = await second.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var response in new[] { firstResponse, secondResponse })
            await AssertColorizedAsync(response, photo);

        // One after the other: never both at once.
        Assert.True(budget.Peak < held * 3 / 2, $"The budget held {budget.Peak} bytes at its peak; one request holds {held}.");
        await Waiting.UntilAsync(() => budget.InUse == 0 && budget.Holders == 0, "every byte to be given back");
    }

    [Fact]
    public async Task APageUpload_IsChargedTheSameBudget_AndWaitsForRoom()
    {
        using var client = await factory.CreateReadyClientAsync();
        var budget = factory.Services.GetRequiredService<MemoryBudget>();
        var colorizer = factory.Services.GetRequiredService<ColorizationService>();
        byte[] photo = Photo();
        await Waiting.UntilAsync(() => budget.InUse == 0, "the budget to be free");
        Task<Core.Colorization.ColorizedImage> page;
        using (await budget.AcquireAsync(budget.Capacity))
        {
            page = colorizer.ColorizeAsync(photo, Core.Colorization.ColorizationOptions.Default, client: "page:test");
            await Waiting.UntilAsync(() => budget.Waiting == 1, "the page's photo to wait for room");
            Assert.Equal(0, factory.Queue.Waiting + factory.Queue.Running);
        }
        using var result = await page.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((Width, Height), (result.Width, result.Height));
        await Waiting.UntilAsync(() => budget.InUse == 0, "the page's photo to give its bytes back");
    }

    [Fact]
    public async Task AVideoJob_IsChargedTheSameBudget_AndWaitsForRoomQueued_ThenRuns()
    {
        using var client = await factory.CreateReadyClientAsync();
        var budget = factory.Services.GetRequiredService<MemoryBudget>();
        var videos = factory.Services.GetRequiredService<Colorizer.Web.Video.VideoJobService>();
        await Waiting.UntilAsync(() => budget.InUse == 0, "the budget to be free");
        string id;
        using (await budget.AcquireWorkingAsync(budget.Capacity))
        {
            using var posted = await client.PostVideoAsync(VideoApiRequests.Clip());
            id = (await VideoApiRequests.StateAsync(posted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
            await Waiting.UntilAsync(() => videos.Find(id)?.Note == Colorizer.Web.Video.VideoJobService.WaitingForMemoryNote,
                "the video to wait for room in the memory budget");
            Assert.Equal(Colorizer.Web.Video.VideoJobState.Queued, videos.Find(id)!.State);
        }
        var ended = await client.WaitUntilFinishedAsync(id);
        Assert.Equal("done", ended.GetProperty("state").GetString());
        await Waiting.UntilAsync(() => budget.InUse == 0 && budget.Holders == 0, "the video to give its bytes back");
    }

    internal static async Task AssertColorizedAsync(HttpResponseMessage response, byte[] photo)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((Width, Height), (image.Width, image.Height));
        var (a, b) = ImageAssertions.MeanAb(image);
        Assert.InRange(a, 15, 25);
        Assert.InRange(b, 25, 35);
        // The photo's own lightness, kept.
        using var input = ImageAssertions.Decode(photo);
        using var inputBgr = new Mat();
        Cv2.CvtColor(input, inputBgr, ColorConversionCodes.GRAY2BGR);
        var whole = new Rect(0, 0, Width, Height);
        Assert.InRange(TestImages.MeanLab(image, whole).L - TestImages.MeanLab(inputBgr, whole).L, -2, 2);
    }
}

/// <summary>A budget held past the deadline: 503 with Retry-After and a detail naming the memory budget.</summary>
public sealed class ColorizeApiMemoryBudgetDeadlineTests(TinyBudgetShortDeadlineWebFactory factory) : IClassFixture<TinyBudgetShortDeadlineWebFactory>
{
    [Fact]
    public async Task PostColorize_Returns503WithRetryAfter_WhenTheBudgetStaysFullForTheDeadline_AndWorksOnceItIsFree()
    {
        using var client = await factory.CreateReadyClientAsync();
        var budget = factory.Services.GetRequiredService<MemoryBudget>();
        byte[] photo = ColorizeApiMemoryBudgetTests.Photo();
        HttpResponseMessage refused;
        using (await budget.AcquireAsync(budget.Capacity))
            refused = await client.PostColorizeAsync(photo);
        using (refused)
        {
            var problem = await ApiRequests.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
            Assert.Contains("memory", problem.Detail, StringComparison.Ordinal);
            Assert.Contains("4 MB", problem.Detail, StringComparison.Ordinal);
        }
        Assert.Equal(0, budget.Waiting);
        using var accepted = await client.PostColorizeAsync(photo);
        await ColorizeApiMemoryBudgetTests.AssertColorizedAsync(accepted, photo);
    }
}
