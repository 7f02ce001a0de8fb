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

/// <summary>One job at a time, four waiting, and a deadline of 1 s (a request that does not wait takes ~30 ms).</summary>
public sealed class DeadlineWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "4",
    ["Queue:Deadline"] = "00:00:01",
});

/// <summary>Each colorization's deadline, for the API and the page alike, and how it differs from a client going away.</summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class DeadlineTests(DeadlineWebFactory factory, ITestOutputHelper output) : IClassFixture<DeadlineWebFactory>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

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
            Assert.Contains("deadline of 1 s", problem.Detail, StringComparison.Ordinal);
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
        using var session = new ColorizationSession(Colorizer, Options.Create(new UploadOptions()),
            factory.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(), factory.Services.GetRequiredService<GalleryStore>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ColorizationSession>.Instance);
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
        // Its own queue and a 300 ms deadline, over the app's engine. The upload's bytes are handed to the decoder
        // only when the test says so: a stage that cannot be interrupted and lasts as long as the test wants.
        var queue = new WorkQueue(1, 0);
        var deadline = TimeSpan.FromMilliseconds(300);
        var colorizer = new ColorizationService(factory.Models, queue, Options.Create(new WorkQueueOptions { Deadline = deadline }));
        using var upload = new GatedMemory(GreyPng());
        long passes = factory.Models.Engine!.ForwardPassCount;

        var clock = Stopwatch.StartNew();
        var error = await Record.ExceptionAsync(() => colorizer.ColorizeAsync(upload.Gated, ColorizationOptions.Default).WaitAsync(TimeSpan.FromSeconds(10)));
        var answered = clock.Elapsed;
        bool decoding = upload.Reading.IsSet;
        int runningAtAnswer = queue.Running;
        upload.Open();
        await Poll.UntilAsync(() => queue.Running == 0, "the abandoned work to give back its place");
        output.WriteLine($"answered after {answered.TotalMilliseconds:0} ms (deadline {deadline.TotalMilliseconds} ms) while the decoder was still waiting");

        var missed = Assert.IsType<DeadlineExceededException>(error);
        Assert.False(missed.WhileWaiting);
        Assert.Contains("did not finish in time", missed.Message, StringComparison.Ordinal);
        Assert.InRange(answered, deadline - TimeSpan.FromMilliseconds(20), deadline + TimeSpan.FromSeconds(2));
        Assert.True(decoding, "The work never reached the decoder.");
        // The answer did not wait for the work; the work kept its place until it stopped, before the network.
        Assert.Equal(1, runningAtAnswer);
        Assert.Equal(passes, factory.Models.Engine!.ForwardPassCount);
    }

    private static byte[] GreyPng()
    {
        using var grey = TestImages.Grey(64, 48);
        return TestImages.Encode(grey, ".png");
    }

    /// <summary>Bytes that whoever reads them must wait for until <see cref="Open"/> (at most 10 s).</summary>
    private sealed class GatedMemory(byte[] bytes) : System.Buffers.MemoryManager<byte>
    {
        private readonly ManualResetEventSlim _open = new();

        /// <summary>Set once a reader asks for the bytes.</summary>
        public ManualResetEventSlim Reading { get; } = new();

        /// <summary>The bytes as memory (without reading them, unlike <see cref="System.Buffers.MemoryManager{T}.Memory"/>).</summary>
        public ReadOnlyMemory<byte> Gated => CreateMemory(bytes.Length);

        public void Open() => _open.Set();

        public override Span<byte> GetSpan()
        {
            Reading.Set();
            _open.Wait(TimeSpan.FromSeconds(10));
            return bytes;
        }

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            _open.Set();
            if (disposing)
                Reading.Dispose();
        }
    }
}
