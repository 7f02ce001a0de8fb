using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>
/// Issue 16's API burst: twenty concurrent requests of a large grainy PNG to the web app in a process of its own (the
/// build beside the tests, as a systemd unit starts it: <c>dotnet Colorizer.Web.dll</c>, Production, server GC, an
/// environment of its own), its resident set read from <c>/proc/&lt;pid&gt;/status</c> for the peak and a minute after
/// the burst ends (docs/operations.md, "Admission by memory"). The server is measured alone, not with what earlier
/// test classes left in the test process. The model is the release's architecture with seeded random weights
/// (<see cref="SyntheticModels.WriteFullSize"/>: the real model's cost and memory, not its colours); the app has the
/// default memory budget and queue, the rate limit lifted and a deadline long enough for twenty large photos one after
/// another.
/// </summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed partial class ApiMemoryBurstTests(ITestOutputHelper output)
{
    private const int Requests = 20;

    /// <summary>7,680 × 5,760: 44.2 megapixels, as in the issue.</summary>
    private const int Width = 7680, Height = 5760;

    /// <summary>The issue's target: the server's peak resident set under 2 GB.</summary>
    private const double MaxPeakMb = 2048;

    private const double MaxAboveReadyAfterAMinuteMb = 300;

    private static readonly TimeSpan After = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TwentyLargePngRequestsAtOnce_AllSucceed_PeakUnder2GB_AndAMinuteLaterWithin300MBOfReady()
    {
        var test = Stopwatch.StartNew();
        // Under artifacts/ (ignored by git): the 129 MB model, the app's temp and storage folders; deleted at the end,
        // after the app is killed (disposed in the reverse order).
        using var folder = new TemporaryDirectory(RepositoryPaths.Artifacts("tests"));
        // The photo is made while the model is written and the app loads it.
        var photoMade = Task.Run(() =>
        {
            using var clean = DamagedPhotos.Clean(Width, Height, seed: 3);
            using var grainy = DamagedPhotos.WithFilmGrain(clean, 6, seed: 4);
            return TestImages.Encode(grainy, ".png");
        });
        byte[] small;
        using (var grey = TestImages.Grey(640, 480))
            small = TestImages.Encode(grey, ".png");
        string models = folder.File("models"), temp = Directory.CreateDirectory(folder.File("temp")).FullName;
        SyntheticModels.WriteFullSize(models, seed: 2016);

        await using var app = await WebAppProcess.StartAsync(WebAppProcess.BuiltDll, WebAppProcess.FreePort(),
        [
            $"--Colorizer:ModelsDirectory={models}", "--Colorizer:DownloadWeights=false",
            $"--TempFiles:Directory={temp}", $"--Gallery:StorageDirectory={folder.File("galleries")}",
            $"--Video:StorageDirectory={folder.File("videos")}",
            "--Queue:Deadline=00:15:00", "--RateLimit:PermitsPerMinute=1000000", "--RateLimit:Burst=1000000",
            "--Metrics:Enabled=true",
        ],
            // As in the Docker image: ASP.NET's own buffers of large uploads go to the app's temp folder too.
            new Dictionary<string, string> { ["ASPNETCORE_TEMP"] = temp }, inheritEnvironment: false);
        string pid = app.Id.ToString(CultureInfo.InvariantCulture);
        var started = test.Elapsed;
        byte[] photo = await photoMade;

        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(30) };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(app.Address), Timeout = TimeSpan.FromMinutes(20) };
        // Warm-up with a small photo: JIT and the first connection are not what is measured. Then the app gives memory
        // back when idle (within its least interval between two returns).
        Assert.Equal(200, (await SendAsync(client, small)).Status);
        await Task.Delay(IdleMemoryReturn.MinimumInterval);
        var clock = Stopwatch.StartNew();
        long readyRss = MemorySample.ReadStatusBytes(pid, "VmRSS");

        long peakRss = readyRss;
        using var sampling = new CancellationTokenSource();
        var samples = new List<(TimeSpan At, long Rss)>();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                long rss = MemorySample.ReadStatusBytes(pid, "VmRSS");
                peakRss = Math.Max(peakRss, rss);
                lock (samples)
                    samples.Add((clock.Elapsed, rss));
                await Task.Delay(50);
            }
        });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Task.Run(() => SendAsync(client, photo))));
        var ended = clock.Elapsed;
        await Task.Delay(After);
        long afterRss = MemorySample.ReadStatusBytes(pid, "VmRSS");
        await sampling.CancelAsync();
        await sampler;
        long highWater = MemorySample.ReadStatusBytes(pid, "VmHWM");
        string metrics = await client.GetStringAsync("/metrics");
        double inUse = Gauge(metrics, "colorizer_admission_memory_bytes"), budget = Gauge(metrics, "colorizer_admission_memory_budget_bytes");

        double readyMb = readyRss / 1048576.0, peakMb = peakRss / 1048576.0, highWaterMb = highWater / 1048576.0, afterMb = afterRss / 1048576.0;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Requests} requests of a {Width}×{Height} PNG ({photo.Length / 1048576.0:0.0} MB) in {ended.TotalSeconds:0.0} s: {string.Join(", ", outcomes.GroupBy(o => o.Status).Select(g => $"{g.Count()} × {g.Key}"))}; " +
            $"latency {outcomes.Min(o => o.Seconds):0.0}-{outcomes.Max(o => o.Seconds):0.0} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"the app (pid {pid}): ready {readyMb:0} MB; peak RSS sampled {peakMb:0} MB (+{peakMb - readyMb:0}), VmHWM {highWaterMb:0} MB; " +
            $"{After.TotalSeconds:0} s after the burst {afterMb:0} MB (+{afterMb - readyMb:0}); budget {budget / 1048576.0:0} MB, in use then {inUse / 1048576.0:0} MB"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test {test.Elapsed.TotalSeconds:0} s, of which model written and app healthy {started.TotalSeconds:0} s"));
        lock (samples)
        {
            foreach (var (at, rss) in samples.Where((_, i) => i % 40 == 0))
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {at.TotalSeconds,6:0.0} s  {rss / 1048576.0,6:0} MB{(at > ended ? " (after)" : "")}"));
        }

        Assert.All(outcomes, o => Assert.True(o.Status == 200 && o.Bytes > 1_000_000, $"{o.Status}, {o.Bytes} bytes{o.Error}; the app's log ends:\n{LogTail(app.Log)}"));
        Assert.True(highWaterMb < MaxPeakMb,
            $"The app's resident set peaked at {highWaterMb:0} MB (VmHWM; ready {readyMb:0} MB), over the target of {MaxPeakMb} MB.");
        Assert.True(afterMb - readyMb < MaxAboveReadyAfterAMinuteMb,
            $"A minute after the burst the resident set was {afterMb:0} MB, {afterMb - readyMb:0} MB above ready (target under {MaxAboveReadyAfterAMinuteMb} MB).");
        Assert.Equal(0, inUse);
    }

    // Reads the answer through a small buffer, as a client saving it to disk would. A request that fails without an
    // answer (the app gone) is status 0 with the error.
    private static async Task<(int Status, long Bytes, double Seconds, string? Error)> SendAsync(HttpClient client, byte[] photo)
    {
        var clock = Stopwatch.StartNew();
        try
        {
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
            return ((int)response.StatusCode, total, clock.Elapsed.TotalSeconds, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return (0, 0, clock.Elapsed.TotalSeconds, $" ({ex.GetType().Name}: {ex.Message})");
        }
    }

    // A gauge's value in the Prometheus text.
    private static double Gauge(string metrics, string name)
    {
        foreach (Match match in GaugeLine().Matches(metrics))
        {
            if (match.Groups["name"].Value == name)
                return double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"/metrics has no {name}:\n{metrics}");
    }

    private static string LogTail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z0-9_:]+)(\{[^}]*\})? (?<value>\S+)")]
    private static partial Regex GaugeLine();
}
