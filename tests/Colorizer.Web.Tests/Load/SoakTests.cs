using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>Over Kestrel on loopback, with the default queue (2 running, 16 waiting) and deadline.</summary>
public sealed class SoakWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>(), kestrel: true);

/// <summary>
/// The short soak for CI: a long mixed run (sizes, formats, options, bad inputs) from a few clients, with the process's
/// memory sampled after each segment, to see that it levels off instead of growing. <c>scripts/soak.sh</c> does the
/// same for minutes or hours against a real server.
/// </summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class SoakTests(SoakWebFactory factory, ITestOutputHelper output) : IClassFixture<SoakWebFactory>
{
    /// <summary>Clients at once: fewer than the queue holds, so every answer is the one its input deserves.</summary>
    private const int Clients = 4;

    /// <summary>
    /// Requests before measuring: every kind a dozen times, so that the JIT, the pools and glibc's arenas (one more
    /// for each pool thread that first does native work) have settled. The resident set takes a hundred or two
    /// requests to level off on 2 cores; measured from the start it would show that as growth.
    /// </summary>
    private const int WarmUpRequests = 160;

    /// <summary>Measured requests, in segments, with the memory sampled (after full collections) after each: 240.</summary>
    private const int Segments = 16;

    private const int RequestsPerSegment = 15;

    /// <summary>
    /// The managed heap's last-quarter mean may be at most this much above its first-quarter mean. After full
    /// compacting collections the heap is only what the server keeps: 3–8 MB of caches and pools here, its quarter
    /// means within 2 MB of each other. A result kept by mistake holds ~1 MB there (its prediction), so keeping just
    /// the 800×600 photos' results (one request in 13) fails this by far: tried, it grew by 18.6 MB in 240 requests.
    /// </summary>
    private const double ManagedMarginMb = 4;

    /// <summary>
    /// The same for the native heap in use (what <c>malloc</c> has handed out and not had back: OpenCV's images and
    /// network buffers). OpenCV's per-thread caches make it step between 15 and 26 MB from sample to sample, with
    /// quarter means up to ~5 MB apart and no trend over 1,200 requests; this margin catches a native-only leak of
    /// more than ~40 KB a request on average.
    /// </summary>
    private const double NativeMarginMb = 10;

    /// <summary>
    /// The same for the resident set, which also counts memory the allocator keeps for reuse after a free: it levels
    /// off at 250–320 MB and moves ±20–30 MB between samples there. The margin catches growth outside both heaps
    /// (threads that never end, mapped files) of more than ~170 KB a request; <c>scripts/soak.sh</c> looks for slower
    /// growth over minutes or hours.
    /// </summary>
    private const double RssMarginMb = 40;

    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMixedRun_GetsTheRightAnswerForEveryRequest_AndMemoryDoesNotGrow()
    {
        using var client = await factory.CreateReadyClientAsync();
        var cases = Cases();
        using var stop = new CancellationTokenSource(TimeLimit);
        var clock = Stopwatch.StartNew();
        var all = new List<Outcome>();

        all.AddRange(await RunAsync(client, cases, 0, WarmUpRequests, stop.Token));
        var samples = new List<MemorySample> { MemorySample.Take(clock, settle: true) };
        var measured = Stopwatch.StartNew();
        for (int segment = 0; segment < Segments; segment++)
        {
            all.AddRange(await RunAsync(client, cases, WarmUpRequests + segment * RequestsPerSegment, RequestsPerSegment, stop.Token));
            samples.Add(MemorySample.Take(clock, settle: true));
        }
        measured.Stop();

        output.WriteLine(LoadReport.Describe(all.Skip(WarmUpRequests).ToList(), measured.Elapsed));
        output.WriteLine("memory (after full collections), from the end of the warm-up:");
        for (int i = 0; i < samples.Count; i++)
            output.WriteLine($"  after {i * RequestsPerSegment,3} measured requests: {samples[i]}");

        Assert.Equal(WarmUpRequests + Segments * RequestsPerSegment, all.Count);
        var wrong = all.Where(o => o.Status != cases.Single(c => c.Kind == o.Kind).Expected).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} wrong answers, e.g. {wrong.FirstOrDefault()}");
        Assert.All(all.Where(o => o.Status >= 400), o => Assert.Null(o.ProblemFault()));
        Assert.All(all.Where(o => o.Status == 200), o => Assert.True(o.BodyBytes > 100, $"{o.Kind}: a {o.BodyBytes}-byte image"));

        int quarter = Math.Max(1, samples.Count / 4);
        double firstRss = samples.Take(quarter).Average(s => s.RssMb), lastRss = samples.TakeLast(quarter).Average(s => s.RssMb);
        double firstManaged = samples.Take(quarter).Average(s => s.ManagedMb), lastManaged = samples.TakeLast(quarter).Average(s => s.ManagedMb);
        double firstNative = samples.Take(quarter).Average(s => s.NativeMb), lastNative = samples.TakeLast(quarter).Average(s => s.NativeMb);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"native heap in use: first quarter {firstNative:0.0} MB, last quarter {lastNative:0.0} MB ({lastNative - firstNative:+0.0;-0.0} MB, margin {NativeMarginMb} MB)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS: first quarter {firstRss:0.0} MB, last quarter {lastRss:0.0} MB ({lastRss - firstRss:+0.0;-0.0} MB, margin {RssMarginMb} MB)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"managed heap: first quarter {firstManaged:0.0} MB, last quarter {lastManaged:0.0} MB ({lastManaged - firstManaged:+0.0;-0.0} MB, margin {ManagedMarginMb} MB)"));
        Assert.True(lastManaged <= firstManaged + ManagedMarginMb, $"The managed heap grew from {firstManaged:0.0} to {lastManaged:0.0} MB.");
        Assert.True(lastNative <= firstNative + NativeMarginMb, $"The native heap in use grew from {firstNative:0.0} to {lastNative:0.0} MB.");
        Assert.True(lastRss <= firstRss + RssMarginMb, $"The resident set grew from {firstRss:0.0} to {lastRss:0.0} MB.");

        using var health = await client.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>Sends requests <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> − 1 of the mix, from <see cref="Clients"/> clients.</summary>
    private static async Task<List<Outcome>> RunAsync(HttpClient client, IReadOnlyList<Case> cases, int from, int count, CancellationToken ct)
    {
        int next = from - 1;
        var outcomes = new Outcome[count];
        var workers = Enumerable.Range(0, Clients).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < from + count && !ct.IsCancellationRequested)
            {
                var c = cases[index % cases.Count];
                outcomes[index - from] = await Outcome.SendAsync(client, c.Kind, c.Request, ct);
            }
        });
        await Task.WhenAll(workers);
        return [.. outcomes.Where(o => o is not null)];
    }

    /// <summary>One kind of request in the mix and the status it must get.</summary>
    private sealed record Case(string Kind, Func<HttpRequestMessage> Request, int Expected);

    private static List<Case> Cases()
    {
        byte[] jpeg = Encode(TestImages.Grey(320, 240), ".jpg");
        return
        [
            new("png 64x48", LoadRequests.Colorize(Encode(TestImages.Grey(64, 48), ".png")), 200),
            new("jpeg 320x240 -> jpeg", LoadRequests.Colorize(jpeg, "format=jpeg", "photo.jpg"), 200),
            new("webp 200x150 -> webp T=0.2", LoadRequests.Colorize(Encode(TestImages.Grey(200, 150), ".webp"), "format=webp&temperature=0.2", "photo.webp"), 200),
            new("bmp 400x300 S=1.5 R=128", LoadRequests.Colorize(Encode(TestImages.Gradient(400, 300, 30, 220), ".bmp"), "saturation=1.5&renderSize=128", "photo.bmp"), 200),
            new("tiff 256x256 R=320", LoadRequests.Colorize(Encode(TestImages.Grey(256, 256), ".tiff"), "renderSize=320", "photo.tiff"), 200),
            new("png 800x600 -> jpeg", LoadRequests.Colorize(Encode(TestImages.Grey(800, 600), ".png"), "format=jpeg"), 200),
            new("colour png 160x120", LoadRequests.Colorize(Encode(TestImages.Colorful(160, 120), ".png")), 200),
            new("random bytes", LoadRequests.Colorize(RandomBytes(4096), fileName: "noise.jpg"), 415),
            new("truncated jpeg", LoadRequests.Colorize(jpeg[..(jpeg.Length / 2)], fileName: "cut.jpg"), 400),
            new("temperature=5", LoadRequests.Colorize(jpeg, "temperature=5", "photo.jpg"), 422),
            new("renderSize=100", LoadRequests.Colorize(jpeg, "renderSize=100", "photo.jpg"), 422),
            new("no file field", () => new HttpRequestMessage(HttpMethod.Post, ApiRequests.ColorizeUri())
            {
                Content = new MultipartFormDataContent { { new StringContent("hello"), "note" } },
            }, 400),
            new("not multipart", () => new HttpRequestMessage(HttpMethod.Post, ApiRequests.ColorizeUri())
            {
                Content = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            }, 400),
        ];
    }

    private static byte[] Encode(OpenCvSharp.Mat image, string extension)
    {
        using (image)
            return TestImages.Encode(image, extension);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
