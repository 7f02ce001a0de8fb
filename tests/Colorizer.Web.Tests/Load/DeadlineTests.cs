using System.Diagnostics;
using System.Net;
using Colorizer.Core.Colorization;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>One job at a time, four waiting, and a deadline of 400 ms.</summary>
public sealed class DeadlineWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "4",
    ["Queue:Deadline"] = "00:00:00.400",
});

/// <summary>Each colorization's deadline, for the API and the page alike, and how it differs from a client going away.</summary>
[Collection(LoadCollection.Name)]
public sealed class DeadlineTests(DeadlineWebFactory factory, ITestOutputHelper output) : IClassFixture<DeadlineWebFactory>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(400);

    private ColorizationService Colorizer => factory.Services.GetRequiredService<ColorizationService>();

    [Fact]
    public async Task PostColorize_Returns503ProblemWithRetryAfter_AboutTheDeadlineLater_WhenItWaitsInLineTooLong_AndLeavesTheLine()
    {
        using var client = await factory.CreateReadyClientAsync();
        var queue = factory.Queue;
        var engine = factory.Models.Engine!;
        Assert.Equal(Deadline, Colorizer.Deadline);

        HttpResponseMessage response;
        var clock = Stopwatch.StartNew();
        using (queue.Enter()) // the only running place, held throughout
        {
            long passes = engine.ForwardPassCount;
            // Without a deadline the request would wait as long as the ticket is held: fail instead of hanging.
            response = await client.PostColorizeAsync(GreyPng()).WaitAsync(TimeSpan.FromSeconds(10));
            clock.Stop();
            // Checked while the running ticket is still held: only the deadline can have taken the request out of line.
            Assert.Equal(0, queue.Waiting);
            Assert.Equal(passes, engine.ForwardPassCount);
        }

        using (response)
        {
            var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
            Assert.Equal("The server is too busy", problem.Title);
            Assert.Contains("deadline of 400 ms", problem.Detail, StringComparison.Ordinal);
            Assert.Contains("waiting in line", problem.Detail, StringComparison.Ordinal);
        }
        output.WriteLine($"503 after {clock.ElapsedMilliseconds} ms (deadline {Deadline.TotalMilliseconds} ms)");
        Assert.InRange(clock.Elapsed, Deadline - TimeSpan.FromMilliseconds(20), Deadline + TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Running);

        using var fresh = await client.PostColorizeAsync(GreyPng());
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task ThePageCard_SaysTheServerIsTooBusy_WhenTheDeadlinePassesInLine()
    {
        await factory.CreateReadyClientAsync();
        using var session = new ColorizationSession(Colorizer, Options.Create(new UploadOptions()));
        var item = session.Add("photo.png");

        using (factory.Queue.Enter())
            await session.ColorizeAsync(item, GreyPng()).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(GalleryItemStatus.Failed, item.Status);
        Assert.StartsWith("The server is too busy", item.Error, StringComparison.Ordinal);
        Assert.Equal(0, factory.Queue.Waiting);
    }

    [Fact]
    public async Task AClientGoingAway_IsACancellation_NotAMissedDeadline()
    {
        await factory.CreateReadyClientAsync();
        using var gone = new CancellationTokenSource();
        Exception? error;
        using (factory.Queue.Enter())
        {
            var work = Colorizer.ColorizeAsync(GreyPng(), ColorizationOptions.Default, ct: gone.Token);
            await Poll.UntilAsync(() => factory.Queue.Waiting == 1, "the job to take its place in line");
            await gone.CancelAsync();
            error = await Record.ExceptionAsync(() => work.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, factory.Queue.Waiting);
        }
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task TheDeadline_AlsoCoversTheWork_TheAnswerComesAtOnce_AndTheJobKeepsItsPlaceUntilItStops()
    {
        await factory.CreateReadyClientAsync();
        // Its own queue and a 10 ms deadline, over the app's engine: a 24-megapixel photo takes far longer than that
        // to decode, and decoding cannot be interrupted, so the deadline passes while the job runs.
        var queue = new WorkQueue(1, 0);
        var colorizer = new ColorizationService(factory.Models, queue,
            Options.Create(new WorkQueueOptions { Deadline = TimeSpan.FromMilliseconds(10) }));
        var large = LargeJpeg();
        var clock = Stopwatch.StartNew();
        var stopped = Task.Run(async () =>
        {
            await Poll.UntilAsync(() => queue.Running == 1 || clock.Elapsed > TimeSpan.FromSeconds(1), "the job to start");
            await Poll.UntilAsync(() => queue.Running == 0, "the abandoned work to give back its place");
            return clock.Elapsed;
        });

        var error = await Record.ExceptionAsync(() => colorizer.ColorizeAsync(large, ColorizationOptions.Default).WaitAsync(TimeSpan.FromSeconds(10)));
        var answered = clock.Elapsed;
        var freed = await stopped.WaitAsync(TimeSpan.FromSeconds(15));
        output.WriteLine($"answered after {answered.TotalMilliseconds:0} ms; the work gave back its place after {freed.TotalMilliseconds:0} ms");

        var missed = Assert.IsType<DeadlineExceededException>(error);
        Assert.False(missed.WhileWaiting);
        Assert.Contains("did not finish in time", missed.Message, StringComparison.Ordinal);
        Assert.True(answered < freed, $"The answer came after {answered}, only once the work had stopped ({freed}).");
        Assert.Equal(0, queue.Running);
    }

    private static byte[] GreyPng()
    {
        using var grey = TestImages.Grey(64, 48);
        return TestImages.Encode(grey, ".png");
    }

    private static byte[] LargeJpeg()
    {
        using var small = TestImages.Grey(600, 400);
        using var large = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Resize(small, large, new OpenCvSharp.Size(6000, 4000), interpolation: OpenCvSharp.InterpolationFlags.Linear);
        return TestImages.Encode(large, ".jpg");
    }
}
