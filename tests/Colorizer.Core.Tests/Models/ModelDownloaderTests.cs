using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Colorizer.Core.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Colorizer.Core.Tests.Models;

/// <summary>
/// Drives <see cref="ModelDownloader"/> against real Kestrel servers on 127.0.0.1 (ephemeral ports) that serve a
/// seeded 3 MB payload and misbehave on purpose. Nothing here reaches beyond the loopback interface.
/// </summary>
public sealed class ModelDownloaderTests : IDisposable
{
    private const string FileName = "test-weights.caffemodel";
    private const int TestTimeoutMs = 20_000; // a downloader that hangs fails the test instead of stalling the run
    private static readonly byte[] Payload = MakePayload(3 * 1024 * 1024, seed: 20160328);
    private static readonly string PayloadSha256 = Convert.ToHexStringLower(SHA256.HashData(Payload));
    private static readonly int Half = Payload.Length / 2;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "colorizer-downloader-tests", Guid.NewGuid().ToString("N"));
    private readonly RecordingLogger _logger = new();

    private string FinalPath => Path.Combine(_directory, FileName);

    private string PartialPath => FinalPath + ModelDownloader.PartialSuffix;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Download_WritesExactBytes_LeavesNoPartial_AndReportsProgressEndingAtFullSize()
    {
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/file", ServeRanged));
        using var http = new HttpClient();
        var progress = new RecordingProgress();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/file")), progress);

        Assert.Equal(FinalPath, path);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(PartialPath));
        Assert.True(progress.Reports.Count >= 3, $"only {progress.Reports.Count} progress reports");
        Assert.True(progress.Reports.Count <= 110, $"progress is not throttled: {progress.Reports.Count} reports");
        Assert.Equal(Payload.Length, progress.Reports[^1].BytesReceived);
        Assert.Equal(Payload.Length, progress.Reports[^1].TotalBytes);
        Assert.Equal(1.0, progress.Reports[^1].Fraction);
        Assert.Equal(server.Url("/file"), progress.Reports[^1].Source);
        Assert.True(progress.Reports.Zip(progress.Reports.Skip(1)).All(p => p.First.BytesReceived <= p.Second.BytesReceived), "progress went backwards");
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Verified", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task CorruptedDownload_Throws_AndLeavesNeitherFinalFileNorPartial()
    {
        byte[] corrupted = (byte[])Payload.Clone();
        corrupted[corrupted.Length / 3] ^= 0xFF;
        await using var server = await LocalServer.StartAsync(app =>
            app.MapGet("/corrupt", () => Results.Bytes(corrupted, "application/octet-stream", enableRangeProcessing: true)));
        using var http = new HttpClient();

        var ex = await Assert.ThrowsAsync<ModelDownloadException>(
            () => NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/corrupt"))));

        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(corrupted)), ex.Message);
        Assert.False(File.Exists(FinalPath), "a corrupt download was published");
        Assert.False(File.Exists(PartialPath), "a corrupt download was kept for resuming");
        Assert.Single(server.Requests); // a fresh download with the wrong hash is not worth retrying on the same source
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ConnectionAbortedHalfway_IsResumedWithARangeRequestFromWhereItStopped()
    {
        int calls = 0;
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/flaky", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await SendHalfAsync(context);
                await Task.Delay(200); // let the bytes reach the client before the connection is torn down
                context.Abort();
                return;
            }

            await ServeRanged().ExecuteAsync(context);
        }));
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/flaky")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(PartialPath));
        RecordedRequest[] requests = [.. server.Requests];
        Assert.Equal(2, requests.Length); // resumed once, not restarted from zero
        Assert.Null(requests[0].Range);
        long resumedAt = RangeStart(requests[1]);
        Assert.InRange(resumedAt, 1, Half); // normally exactly Half; never more than the server sent
        // A retry is routine: Information (a warning is kept for a source given up on).
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("retrying", StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task LeftoverPartialFromAKilledProcess_IsResumedFromItsLength()
    {
        const int alreadyThere = 1_000_000;
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(PartialPath, Payload[..alreadyThere]);
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/file", ServeRanged));
        using var http = new HttpClient();
        var progress = new RecordingProgress();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/file")), progress);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(PartialPath));
        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal($"bytes={alreadyThere}-", request.Range);
        Assert.Equal(alreadyThere, progress.Reports[0].BytesReceived);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task SourcesThatFail_AreRetriedOnlyWhenTransient_ThenTheNextSourceIsUsed()
    {
        await using var server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/broken", () => Results.StatusCode(StatusCodes.Status500InternalServerError));
            app.MapGet("/wrong-size", () => Results.Bytes(Payload[..1000], "application/octet-stream"));
            app.MapGet("/file", ServeRanged);
        });
        using var http = new HttpClient();
        var release = Release(server.Url("/missing"), server.Url("/broken"), server.Url("/wrong-size"), server.Url("/file"));

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, release);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.Equal(1, server.Requests.Count(r => r.Path == "/missing")); // 404: no point retrying
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/broken")); // 500: retried MaxAttemptsPerSource times
        Assert.Equal(1, server.Requests.Count(r => r.Path == "/wrong-size")); // another file: no point retrying
        Assert.Equal(1, server.Requests.Count(r => r.Path == "/file"));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("/broken", StringComparison.Ordinal) && e.Message.Contains("Giving up", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task WhenEverySourceFails_TheMessageSaysWhichFileToGetFromWhereAndWhereToPutIt()
    {
        await using var server = await LocalServer.StartAsync(app =>
            app.MapGet("/broken", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable)));
        using var http = new HttpClient();
        Uri refused = new($"http://127.0.0.1:{UnusedPort()}/weights");
        var release = Release(server.Url("/missing"), server.Url("/broken"), refused);

        var ex = await Assert.ThrowsAsync<ModelDownloadException>(() => NewDownloader(http).EnsureWeightsAsync(_directory, release));

        Assert.Contains(FinalPath, ex.Message);
        Assert.Contains(FileName, ex.Message);
        Assert.Contains(Payload.Length.ToString("N0", CultureInfo.InvariantCulture) + " bytes", ex.Message);
        Assert.Contains(PayloadSha256, ex.Message);
        foreach (Uri source in release.Sources)
        {
            Assert.Contains(source.AbsoluteUri + " failed: ", ex.Message);
        }

        Assert.Contains("404", ex.Message);
        Assert.Contains("503", ex.Message);
        Assert.Contains("on a machine that has internet access", ex.Message);
        Assert.False(File.Exists(FinalPath));
        Assert.False(File.Exists(PartialPath));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ExistingFile_IsReturnedAtOnceWithoutAnyRequest_EvenIfItsHashDiffers()
    {
        Directory.CreateDirectory(_directory);
        byte[] ownWeights = "the user's own weights"u8.ToArray();
        await File.WriteAllBytesAsync(FinalPath, ownWeights);
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/file", ServeRanged));
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/file")));

        Assert.Equal(FinalPath, path);
        Assert.Empty(server.Requests);
        Assert.Equal(ownWeights, await File.ReadAllBytesAsync(path));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task CancellationMidDownload_StopsPromptly_KeepsThePartial_AndCreatesNoFinalFile()
    {
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/slow", async context =>
        {
            await SendHalfAsync(context);
            await WaitForClientToLeaveAsync(context);
        }));
        using var http = new HttpClient();
        using var cts = new CancellationTokenSource();
        var progress = new RecordingProgress(p =>
        {
            if (p.BytesReceived >= Payload.Length / 4)
            {
                cts.Cancel();
            }
        });
        var downloader = NewDownloader(http, stallTimeout: TimeSpan.FromSeconds(30));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => downloader.EnsureWeightsAsync(_directory, Release(server.Url("/slow")), progress, cts.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {stopwatch.Elapsed}");
        Assert.False(File.Exists(FinalPath));
        Assert.True(File.Exists(PartialPath), "the partial download was not kept for resuming");
        byte[] partial = await File.ReadAllBytesAsync(PartialPath);
        Assert.InRange(partial.Length, Payload.Length / 4, Half);
        Assert.Equal(Payload[..partial.Length], partial);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerThatStopsSendingMidway_TimesOut_AndTheDownloadResumes()
    {
        int calls = 0;
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/stalls", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await SendHalfAsync(context);
                await WaitForClientToLeaveAsync(context);
                return;
            }

            await ServeRanged().ExecuteAsync(context);
        }));
        using var http = new HttpClient();

        string path = await NewDownloader(http, stallTimeout: TimeSpan.FromSeconds(1))
            .EnsureWeightsAsync(_directory, Release(server.Url("/stalls")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        RecordedRequest[] requests = [.. server.Requests];
        Assert.Null(requests[0].Range);
        // Normally exactly two requests; a loaded machine may time out one more, but the download must end by resuming.
        Assert.InRange(requests.Length, 2, 3);
        Assert.InRange(RangeStart(requests[^1]), 1, Half);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("no data received", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerThatIgnoresRange_AnswersWith200_AndTheDownloadRestartsFromZero()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(PartialPath, Payload[..1_000_000]);
        await using var server = await LocalServer.StartAsync(app =>
            app.MapGet("/no-ranges", () => Results.Bytes(Payload, "application/octet-stream", enableRangeProcessing: false)));
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/no-ranges")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        RecordedRequest request = Assert.Single(server.Requests); // the 200 body itself was used, not appended
        Assert.Equal("bytes=1000000-", request.Range);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task RangeAnswerStartingElsewhere_IsNotAppended_AndTheWholeFileIsFetchedAgain()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(PartialPath, Payload[..1_000_000]);
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/odd-ranges", async context =>
        {
            if (context.Request.Headers.Range.Count == 0)
            {
                await ServeRanged().ExecuteAsync(context);
                return;
            }

            // Answers any Range with the whole file as a 206 from byte 0.
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = Payload.Length;
            context.Response.Headers.ContentRange = $"bytes 0-{Payload.Length - 1}/{Payload.Length}";
            await context.Response.Body.WriteAsync(Payload);
        }));
        using var http = new HttpClient();

        // One attempt only: the whole file must be asked for again within it, not by a retry after a failure.
        string path = await NewDownloader(http, maxAttempts: 1).EnsureWeightsAsync(_directory, Release(server.Url("/odd-ranges")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        RecordedRequest[] requests = [.. server.Requests];
        Assert.Equal(2, requests.Length);
        Assert.Equal("bytes=1000000-", requests[0].Range);
        Assert.Null(requests[1].Range);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ConcurrentCallsForTheSameFolder_DownloadOnce_AndAllGetThePath()
    {
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/slow-start", async context =>
        {
            await Task.Delay(300); // keeps the first download busy while the other calls arrive
            await ServeRanged().ExecuteAsync(context);
        }));
        using var http = new HttpClient();
        var downloader = NewDownloader(http);
        var release = Release(server.Url("/slow-start"));

        string[] paths = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => downloader.EnsureWeightsAsync(_directory, release))));

        Assert.All(paths, p => Assert.Equal(FinalPath, p));
        Assert.Single(server.Requests);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(FinalPath));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task PartialLargerThanTheFile_IsDiscarded_AndTheWholeFileIsDownloaded()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(PartialPath, [.. Payload, .. new byte[10]]);
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/file", ServeRanged));
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/file")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.Null(Assert.Single(server.Requests).Range);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ResumedPartialWithWrongBytes_FailsVerification_ThenTheSourceIsRetriedFromZero()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(PartialPath, new byte[1_000_000]);
        await using var server = await LocalServer.StartAsync(app => app.MapGet("/file", ServeRanged));
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/file")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        RecordedRequest[] requests = [.. server.Requests];
        Assert.Equal(2, requests.Length);
        Assert.Equal("bytes=1000000-", requests[0].Range);
        Assert.Null(requests[1].Range);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("Verification", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ServerSendingMoreBytesThanExpected_IsCutOff_AndTheNextSourceIsUsed()
    {
        await using var server = await LocalServer.StartAsync(app =>
        {
            // No Content-Length: the excess is only seen while streaming.
            app.MapGet("/too-long", async context =>
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(Payload);
                await context.Response.Body.WriteAsync(new byte[4096]);
            });
            app.MapGet("/file", ServeRanged);
        });
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureWeightsAsync(_directory, Release(server.Url("/too-long"), server.Url("/file")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/too-long"));
        Assert.All(server.Requests, r => Assert.Null(r.Range)); // each retry started over: nothing was kept
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ComputeSha256Async_GivesTheLowercaseHexDigestOfTheFile()
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, "abc.bin");
        await File.WriteAllBytesAsync(path, "abc"u8.ToArray());

        string hash = await FileHash.ComputeSha256Async(path);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash);
    }

    [Fact]
    public void ManualDownloadDescription_OfTheOfficialRelease_NamesEveryAddressTheSizeTheHashAndTheDestination()
    {
        string destination = Path.Combine(Path.GetTempPath(), "models", ModelFileNames.Weights);

        string text = WeightsRelease.Official.DescribeManualDownload(destination);

        Assert.Contains("colorization_release_v2.caffemodel", text);
        Assert.Contains("128,946,764 bytes", text);
        Assert.Contains("f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1", text);
        Assert.Contains(destination, text);
        Assert.Contains("https://people.eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel", text);
        Assert.Contains("http://eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel", text);
        Assert.Contains("https://www.dropbox.com/s/dx0qvhhp5hbcx7z/colorization_release_v2.caffemodel?dl=1", text);
        Assert.Equal("https", WeightsRelease.Official.Sources[0].Scheme);
    }

    [Fact]
    public void WeightsRelease_RejectsAHashThatIsNotSha256Hex_AndKeepsHashesInLowercase()
    {
        Assert.Throws<ArgumentException>(() => new WeightsRelease(FileName, 1, "f5af", [new Uri("http://127.0.0.1/x")]));
        Assert.Equal(PayloadSha256, new WeightsRelease(FileName, 1, PayloadSha256.ToUpperInvariant(), [new Uri("http://127.0.0.1/x")]).Sha256);
    }

    private ModelDownloader NewDownloader(HttpClient http, TimeSpan? stallTimeout = null, int maxAttempts = 3) => new(
        http,
        _logger,
        Options.Create(new ModelDownloaderOptions
        {
            MaxAttemptsPerSource = maxAttempts,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            StallTimeout = stallTimeout ?? TimeSpan.FromSeconds(5),
        }));

    private static WeightsRelease Release(params Uri[] sources) => new(FileName, Payload.Length, PayloadSha256, sources);

    private static IResult ServeRanged() => Results.Bytes(Payload, "application/octet-stream", enableRangeProcessing: true);

    private static async Task SendHalfAsync(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = Payload.Length;
        await context.Response.Body.WriteAsync(Payload.AsMemory(0, Half));
        await context.Response.Body.FlushAsync();
    }

    private static async Task WaitForClientToLeaveAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up on us, as it should.
        }
    }

    private static long RangeStart(RecordedRequest request)
    {
        Assert.NotNull(request.Range);
        Assert.StartsWith("bytes=", request.Range);
        Assert.EndsWith("-", request.Range);
        return long.Parse(request.Range["bytes=".Length..^1], CultureInfo.InvariantCulture);
    }

    internal static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static byte[] MakePayload(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

internal sealed record RecordedRequest(string Path, string? Range);

/// <summary>A Kestrel server on 127.0.0.1 with an ephemeral port that records every request it gets.</summary>
internal sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServer(WebApplication app, Uri baseAddress, ConcurrentQueue<RecordedRequest> requests)
    {
        _app = app;
        BaseAddress = baseAddress;
        Requests = requests;
    }

    public Uri BaseAddress { get; }

    /// <summary>Every request received, in order of arrival.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; }

    public Uri Url(string path) => new(BaseAddress, path);

    public static async Task<LocalServer> StartAsync(Action<WebApplication> mapEndpoints)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        WebApplication app = builder.Build();
        app.Urls.Clear();
        app.Urls.Add("http://127.0.0.1:0");

        var requests = new ConcurrentQueue<RecordedRequest>();
        app.Use(async (context, next) =>
        {
            string? range = context.Request.Headers.Range.Count > 0 ? context.Request.Headers.Range.ToString() : null;
            requests.Enqueue(new RecordedRequest(context.Request.Path.Value ?? "", range));
            await next(context);
        });
        mapEndpoints(app);
        await app.StartAsync();

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new LocalServer(app, new Uri(address), requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed class RecordingProgress(Action<DownloadProgress>? onReport = null) : IProgress<DownloadProgress>
{
    public List<DownloadProgress> Reports { get; } = [];

    public void Report(DownloadProgress value)
    {
        lock (Reports)
        {
            Reports.Add(value);
        }

        onReport?.Invoke(value);
    }
}

internal sealed class RecordingLogger : ILogger<ModelDownloader>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, formatter(state, exception)));
}
