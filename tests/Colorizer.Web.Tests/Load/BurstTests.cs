using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>Over Kestrel on loopback, one job at a time and two waiting; the rate limit stays out of the way.</summary>
public sealed class BurstWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "2",
}, kestrel: true);

/// <summary>Many clients at once, far beyond what the queue holds.</summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class BurstTests(BurstWebFactory factory, ITestOutputHelper output) : IClassFixture<BurstWebFactory>
{
    /// <summary>Clients sending at once: 64, against 3 places (1 running, 2 waiting).</summary>
    private const int Clients = 64;

    /// <summary>Requests each client sends, one after another: 256 in all.</summary>
    private const int RequestsPerClient = 4;

    /// <summary>The whole burst stops by itself after this, whatever happens (a stopped request counts as a failure).</summary>
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The resident set at its peak during the burst, over the settled level before it. At most 3 jobs hold images
    /// (a 640×480 photo is ~1.2 MB of pixels, a few MB with its Lab planes and prediction) and 64 connections hold
    /// their buffers; the rest is the thread pool's new threads and the allocator's arenas. A queue that let work
    /// pile up (61 jobs × a few MB) or a leak of results would go far past it.
    /// </summary>
    private const double MaxPeakRssGrowthMb = 150;

    /// <summary>
    /// The managed heap once collected after the burst, over before it. About 4 MB stays (the pools behind 64 new
    /// connections, kept for reuse); a burst whose results or uploads were kept would leave far more (each 200 is a
    /// ~0.3 MB PNG, each result ~1 MB of prediction).
    /// </summary>
    private const double MaxManagedGrowthMb = 8;

    /// <summary>The native heap in use after the burst, over before it: it moves by up to ~11 MB with OpenCV's per-thread caches.</summary>
    private const double MaxNativeGrowthMb = 16;

    [Fact]
    public async Task ABurstFarBeyondCapacity_GetsOnly200_429Or503_With429sCarryingRetryAfter_InBoundedMemory_AndTheServerRecovers()
    {
        using var client = await factory.CreateReadyClientAsync();
        var photo = Photo(640, 480);
        // Warm-up: JIT, the engine's buffers at this size and the first connections are not what is measured.
        for (int i = 0; i < 3; i++)
            Assert.Equal(200, (await Outcome.SendAsync(client, "warm-up", LoadRequests.Colorize(photo))).Status);

        var clock = Stopwatch.StartNew();
        var before = MemorySample.Take(clock, settle: true);
        var outcomes = new ConcurrentBag<Outcome>();
        using var stop = new CancellationTokenSource(TimeLimit);
        using var sampling = new CancellationTokenSource();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long peakRss = before.RssBytes;
        int peakWaiting = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, MemorySample.ReadRssBytes());
                peakWaiting = Math.Max(peakWaiting, factory.Queue.Waiting);
                await Task.Delay(20);
            }
        });

        var workers = Enumerable.Range(0, Clients).Select(async _ =>
        {
            await start.Task;
            for (int i = 0; i < RequestsPerClient && !stop.IsCancellationRequested; i++)
                outcomes.Add(await Outcome.SendAsync(client, "photo 640x480 png", LoadRequests.Colorize(photo), stop.Token));
        }).ToArray();
        var wall = Stopwatch.StartNew();
        start.SetResult();
        await Task.WhenAll(workers);
        wall.Stop();
        await sampling.CancelAsync();
        await sampler;
        await Poll.UntilAsync(() => factory.Queue.Running == 0 && factory.Queue.Waiting == 0, "the queue to empty");
        var after = MemorySample.Take(clock, settle: true);

        output.WriteLine(LoadReport.Describe(outcomes, wall.Elapsed));
        output.WriteLine($"queue: at most {peakWaiting} waiting (capacity {factory.Queue.Capacity})");
        output.WriteLine($"before: {before}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS during the burst: {peakRss / 1048576.0:0.0} MB (+{(peakRss - before.RssBytes) / 1048576.0:0.0} MB)"));
        output.WriteLine($"after:  {after}");

        Assert.Equal(Clients * RequestsPerClient, outcomes.Count);
        var unexpected = outcomes.Where(o => o.Status is not (200 or 429 or 503)).ToList();
        Assert.True(unexpected.Count == 0, $"Unexpected answers ({LoadReport.StatusCounts(unexpected)}): {unexpected.FirstOrDefault()}");
        Assert.Contains(outcomes, o => o.Status == 200);
        Assert.Contains(outcomes, o => o.Status == 429);
        Assert.All(outcomes.Where(o => o.Status == 200), o =>
        {
            Assert.Equal("image/png", o.ContentType);
            Assert.True(o.BodyBytes > 1000, $"A {o.BodyBytes}-byte image.");
        });
        Assert.All(outcomes.Where(o => o.Status is 429 or 503), o => Assert.Null(o.ProblemFault()));
        Assert.True(peakWaiting <= factory.Queue.Capacity, $"{peakWaiting} waiting in a queue of {factory.Queue.Capacity}.");

        double peakGrowth = (peakRss - before.RssBytes) / 1048576.0;
        Assert.True(peakGrowth <= MaxPeakRssGrowthMb, $"The resident set grew by {peakGrowth:0.0} MB during the burst (bound {MaxPeakRssGrowthMb} MB).");
        double managedGrowth = after.ManagedMb - before.ManagedMb;
        Assert.True(managedGrowth <= MaxManagedGrowthMb, $"The managed heap kept {managedGrowth:0.0} MB after the burst (bound {MaxManagedGrowthMb} MB).");
        double nativeGrowth = after.NativeMb - before.NativeMb;
        Assert.True(nativeGrowth <= MaxNativeGrowthMb, $"The native heap kept {nativeGrowth:0.0} MB after the burst (bound {MaxNativeGrowthMb} MB).");

        // Afterwards the server is ready and works as before.
        var health = await Outcome.SendAsync(client, "health", LoadRequests.Get("/health"));
        Assert.Equal(200, health.Status);
        var fresh = await Outcome.SendAsync(client, "fresh", LoadRequests.Colorize(photo));
        Assert.Equal(200, fresh.Status);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"afterwards: /health {health.Status}, a fresh request {fresh.Status} in {fresh.Latency.TotalMilliseconds:0} ms"));
    }

    private static byte[] Photo(int width, int height)
    {
        using var grey = TestImages.Grey(width, height);
        return TestImages.Encode(grey, ".png");
    }
}
