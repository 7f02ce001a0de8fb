using System.IO.Hashing;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Colorizer.Core.Tests.Models.Catalogue;

/// <summary>
/// <see cref="ModelDownloader.EnsureModelAsync"/> against Kestrel on 127.0.0.1 serving a seeded 2 MB "model" and its
/// <c>.hash</c> file (zlib's CRC-32, lowercase hex) as facefusion publishes them, and misbehaving on purpose.
/// </summary>
public sealed class OnnxModelDownloadTests : IDisposable
{
    private const int TestTimeoutMs = 20_000;
    private static readonly byte[] Payload = MakePayload(2 * 1024 * 1024);
    private static readonly string PayloadCrc = Crc32.HashToUInt32(Payload).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly ColorModel DDColor = ModelCatalogue.Get("ddcolor");

    private readonly TemporaryDirectory _directory = new();
    private readonly RecordingLogger _logger = new();

    private string FinalPath => Path.Combine(_directory.Path, DDColor.FileName);

    private ModelDownloader NewDownloader(HttpClient http, int maxAttempts = 3) => new(http, _logger, Options.Create(new ModelDownloaderOptions
    {
        MaxAttemptsPerSource = maxAttempts,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        StallTimeout = TimeSpan.FromSeconds(5),
    }));

    private static ColorModel At(params Uri[] sources) => DDColor with { Sources = sources };

    private static IResult Ranged(byte[] bytes) => Results.Bytes(bytes, "application/octet-stream", enableRangeProcessing: true);

    [Fact(Timeout = TestTimeoutMs)]
    public async Task GoodFile_IsSavedWithItsPublishedHashBesideIt_AndProgressReachesItsLength()
    {
        await using var server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/a/ddcolor.onnx", () => Ranged(Payload));
            app.MapGet("/a/ddcolor.hash", () => PayloadCrc.ToUpperInvariant() + "\n");
        });
        using var http = new HttpClient();
        var progress = new RecordingProgress();

        string path = await NewDownloader(http).EnsureModelAsync(_directory.Path, At(server.Url("/a/ddcolor.onnx")), progress);

        Assert.Equal(FinalPath, path);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.Equal(PayloadCrc, await File.ReadAllTextAsync(Path.Combine(_directory.Path, "ddcolor.hash")));
        Assert.False(File.Exists(path + ModelDownloader.PartialSuffix));
        Assert.Equal(Payload.Length, progress.Reports[^1].TotalBytes);
        Assert.Equal(1.0, progress.Reports[^1].Fraction);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task CorruptFile_IsRefusedByItsCrc_AndNothingGetsTheFinalName()
    {
        byte[] corrupt = (byte[])Payload.Clone();
        corrupt[12345] ^= 0xff;
        await using var server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/a/ddcolor.onnx", () => Ranged(corrupt));
            app.MapGet("/a/ddcolor.hash", () => PayloadCrc);
        });
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => NewDownloader(http).EnsureModelAsync(_directory.Path, At(server.Url("/a/ddcolor.onnx"))));

        Assert.Contains($"expected 2,097,152 bytes with CRC-32 {PayloadCrc}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"save it as {FinalPath}", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(FinalPath));
        Assert.False(File.Exists(FinalPath + ModelDownloader.PartialSuffix));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task TruncatedFile_IsRefused_AndTheNextSourceIsUsed()
    {
        await using var server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/short/ddcolor.onnx", () => Ranged(Payload[..(Payload.Length / 3)]));
            app.MapGet("/short/ddcolor.hash", () => PayloadCrc);
            app.MapGet("/good/ddcolor.onnx", () => Ranged(Payload));
            app.MapGet("/good/ddcolor.hash", () => PayloadCrc);
        });
        using var http = new HttpClient();

        string path = await NewDownloader(http, maxAttempts: 1).EnsureModelAsync(_directory.Path,
            At(server.Url("/short/ddcolor.onnx"), server.Url("/good/ddcolor.onnx")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        Assert.Contains(_logger.Entries, e => e.Message.Contains("Giving up on", StringComparison.Ordinal) && e.Message.Contains("/short/", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task InterruptedDownload_ResumesWithARangeRequest()
    {
        int calls = 0;
        await using var server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/a/ddcolor.hash", () => PayloadCrc);
            app.MapGet("/a/ddcolor.onnx", async context =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    context.Response.ContentLength = Payload.Length;
                    await context.Response.Body.WriteAsync(Payload.AsMemory(0, Payload.Length / 2));
                    await context.Response.Body.FlushAsync();
                    await Task.Delay(200);
                    context.Abort();
                    return;
                }
                await Ranged(Payload).ExecuteAsync(context);
            });
        });
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureModelAsync(_directory.Path, At(server.Url("/a/ddcolor.onnx")));

        Assert.Equal(Payload, await File.ReadAllBytesAsync(path));
        var modelRequests = server.Requests.Where(r => r.Path.EndsWith(".onnx", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, modelRequests.Length);
        Assert.Null(modelRequests[0].Range);
        Assert.StartsWith("bytes=", modelRequests[1].Range);
        Assert.NotEqual("bytes=0-", modelRequests[1].Range);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("not-a-hash", "is not a CRC-32 (8 hex digits)")]
    [InlineData(null, "answered HTTP 404")]
    public async Task WrongOrMissingHashFile_FailsThatSource_WithoutDownloadingTheModel(string? hashText, string reason)
    {
        await using var server = await LocalServer.StartAsync(app =>
        {
            app.MapGet("/a/ddcolor.onnx", () => Ranged(Payload));
            if (hashText is not null)
                app.MapGet("/a/ddcolor.hash", () => hashText);
        });
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => NewDownloader(http).EnsureModelAsync(_directory.Path, At(server.Url("/a/ddcolor.onnx"))));

        Assert.Contains($"its published hash {server.Url("/a/ddcolor.hash").AbsoluteUri} {reason}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.EndsWith(".onnx", StringComparison.Ordinal));
        Assert.False(File.Exists(FinalPath));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FilePresentUnderItsName_IsUsedWithoutARequest()
    {
        Directory.CreateDirectory(_directory.Path);
        await File.WriteAllBytesAsync(FinalPath, [1, 2, 3]);
        using var http = new HttpClient();

        string path = await NewDownloader(http).EnsureModelAsync(_directory.Path, At(new Uri("http://127.0.0.1:9/ddcolor.onnx")));

        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(path));
    }

    private static byte[] MakePayload(int length)
    {
        var bytes = new byte[length];
        new Random(2023).NextBytes(bytes);
        return bytes;
    }

    public void Dispose() => _directory.Dispose();
}
