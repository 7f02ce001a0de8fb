using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>
/// Over Kestrel on loopback, with the release architecture's full-size network and seeded random weights
/// (<see cref="SyntheticModels.WriteFullSize"/>: the real model's cost and memory, not its colours), the default
/// memory budget and queue, and a deadline long enough for twenty large photos one after another.
/// </summary>
public sealed class ApiMemoryBurstWebFactory : ColorizerWebFactory
{
    public ApiMemoryBurstWebFactory()
        : base(new Dictionary<string, string?> { ["Queue:Deadline"] = "00:15:00" }, withWeights: false, kestrel: true) =>
        SyntheticModels.WriteFullSize(ModelsDirectory, seed: 2016);
}

/// <summary>
/// Issue 16's API burst: twenty concurrent requests of a large grainy PNG, the process's resident set sampled for the
/// peak and a minute after the burst ends (docs/operations.md, "Admission by memory").
/// </summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class ApiMemoryBurstTests(ApiMemoryBurstWebFactory factory, ITestOutputHelper output) : IClassFixture<ApiMemoryBurstWebFactory>
{
    private const int Requests = 20;

    /// <summary>7,680 × 5,760: 44.2 megapixels, as in the issue.</summary>
    private const int Width = 7680, Height = 5760;

    /// <summary>
    /// The issue's target is a peak under 2 GB for the server, whose ready level is about 400 MB here. In the whole suite
    /// this process also holds what earlier test classes left (it was 1.1 GB ready), so the test bounds the growth:
    /// 2 GB less a ready server's 400 MB. Run alone, the absolute peak is printed too (1.5 GB).
    /// </summary>
    private const double MaxPeakAboveReadyMb = 2048 - 400;

    private const double MaxAboveReadyAfterAMinuteMb = 300;

    private static readonly TimeSpan After = TimeSpan.FromMinutes(1);

    [OptInFact("COLORIZER_MEMORY_BURST")]
    public async Task TwentyLargePngRequestsAtOnce_AllSucceed_PeakWithin1600MBOfReady_AndAMinuteLaterWithin300MB()
    {
        byte[] photo;
        using (var clean = DamagedPhotos.Clean(Width, Height, seed: 3))
        using (var grainy = DamagedPhotos.WithFilmGrain(clean, 6, seed: 4))
            photo = TestImages.Encode(grainy, ".png");
        byte[] small;
        using (var grey = TestImages.Grey(640, 480))
            small = TestImages.Encode(grey, ".png");

        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(30) };
        using var client = await factory.CreateReadyClientAsync();
        using var burstClient = new HttpClient(handler) { BaseAddress = client.BaseAddress, Timeout = TimeSpan.FromMinutes(20) };
        var budget = factory.Services.GetRequiredService<MemoryBudget>();
        // Warm-up with a small photo: JIT and the first connection are not what is measured.
        Assert.Equal(200, (await SendAsync(burstClient, small)).Status);
        await Task.Delay(IdleMemoryReturn.MinimumInterval);
        var clock = Stopwatch.StartNew();
        var ready = MemorySample.Take(clock, settle: true);
        budget.ResetPeak();

        long peakRss = ready.RssBytes;
        using var sampling = new CancellationTokenSource();
        var samples = new List<(TimeSpan At, long Rss)>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                long rss = MemorySample.ReadRssBytes();
                peakRss = Math.Max(peakRss, rss);
                lock (samples)
                    samples.Add((clock.Elapsed, rss));
                await Task.Delay(50);
            }
        });

        var burst = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Task.Run(() => SendAsync(burstClient, photo))));
        burst.Stop();
        var ended = clock.Elapsed;
        await Task.Delay(After);
        long afterRss = MemorySample.ReadRssBytes();
        await sampling.CancelAsync();
        await sampler;
        var afterSettled = MemorySample.Take(clock, settle: true);

        double readyMb = ready.RssMb, peakMb = peakRss / 1048576.0, afterMb = afterRss / 1048576.0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Requests} requests of a {Width}×{Height} PNG ({photo.Length / 1048576.0:0.0} MB) in {burst.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", outcomes.GroupBy(o => o.Status).Select(g => $"{g.Count()} × {g.Key}"))}; " +
            $"latency {outcomes.Min(o => o.Seconds):0.0}-{outcomes.Max(o => o.Seconds):0.0} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"budget {budget.Capacity / 1048576.0:0} MB, its peak {budget.Peak / 1048576.0:0} MB; memory returned {factory.Services.GetRequiredService<IdleMemoryReturn>().Count} times"));
        output.WriteLine($"ready: {ready}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak RSS {peakMb:0} MB (+{peakMb - readyMb:0}); {After.TotalSeconds:0} s after the burst {afterMb:0} MB (+{afterMb - readyMb:0}); settled then: {afterSettled}"));
        lock (samples)
        {
            foreach (var (at, rss) in samples.Where((_, i) => i % 40 == 0))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {at.TotalSeconds,6:0.0} s  {rss / 1048576.0,6:0} MB{(at > ended ? " (after)" : "")}"));
        }

        Assert.All(outcomes, o => Assert.True(o.Status == 200 && o.Bytes > 1_000_000, $"{o.Status}, {o.Bytes} bytes"));
        Assert.True(peakMb - readyMb < MaxPeakAboveReadyMb,
            $"The resident set peaked at {peakMb:0} MB, {peakMb - readyMb:0} MB above ready (bound {MaxPeakAboveReadyMb} MB above ready).");
        Assert.True(afterMb - readyMb < MaxAboveReadyAfterAMinuteMb,
            $"A minute after the burst the resident set was {afterMb:0} MB, {afterMb - readyMb:0} MB above ready (target under {MaxAboveReadyAfterAMinuteMb} MB).");
        Assert.Equal(0, budget.InUse);
    }

    // Reads the answer through a small buffer, as a client saving it to disk would: the test's own memory stays out of the figures.
    private static async Task<(int Status, long Bytes, double Seconds)> SendAsync(HttpClient client, byte[] photo)
    {
        var clock = Stopwatch.StartNew();
        using var content = new MultipartFormDataContent();
        var part = new ByteArrayContent(photo);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        content.Add(part, "file", "photo.png");
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiRequests.ColorizeUri()) { Content = content };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
            total += read;
        return ((int)response.StatusCode, total, clock.Elapsed.TotalSeconds);
    }
}
