using System.Net;
using System.Net.Http.Headers;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Video;

/// <summary>The app with its video storage in a folder of its own.</summary>
public sealed class VideoWebFactory : ColorizerWebFactory
{
    private readonly TemporaryDirectory _storage;

    public VideoWebFactory()
        : this(new TemporaryDirectory())
    {
    }

    private VideoWebFactory(TemporaryDirectory storage)
        : base(new Dictionary<string, string?> { ["Video:StorageDirectory"] = storage.Path })
    {
        _storage = storage;
    }

    public VideoJobService Videos => Services.GetRequiredService<VideoJobService>();

    /// <summary>The app's clock, which a test may move forward.</summary>
    public ShiftableTimeProvider Time { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _storage.Dispose();
    }

    /// <summary>A finished job made from a generated 24-frame clip uploaded as <paramref name="fileName"/>.</summary>
    public async Task<VideoJobSnapshot> DoneJobAsync(string fileName = "Old film.avi")
    {
        using var work = new TemporaryDirectory();
        string path = work.File("clip.avi");
        TestVideos.Write(path, 24, 160, 120, 24, TestVideos.Panning(160, 120, 1, noise: 2));
        VideoJobSnapshot job;
        await using (var stream = File.OpenRead(path))
            job = await Videos.CreateAsync(fileName, stream);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Videos.Find(job.Id) is { IsFinished: false })
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The video job did not finish.");
            await Task.Delay(20);
        }
        var done = Videos.Find(job.Id)!;
        Assert.Equal(VideoJobState.Done, done.State);
        return done;
    }
}

public sealed class VideoEndpointTests(VideoWebFactory factory) : IClassFixture<VideoWebFactory>
{
    [Fact]
    public async Task Result_IsServedAsMp4_WithRangeSupport()
    {
        using var client = await factory.CreateReadyClientAsync();
        var job = await factory.DoneJobAsync();
        string path = factory.Videos.GetFile(job.Id, VideoFileKind.Result)!.Value.Path;
        byte[] expected = await File.ReadAllBytesAsync(path);

        using var whole = await client.GetAsync($"/video/{job.Id}/result");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", string.Join(",", whole.Headers.AcceptRanges));
        Assert.Equal(expected, await whole.Content.ReadAsByteArrayAsync());
        Assert.Null(whole.Content.Headers.ContentDisposition);
        Assert.Contains("private", whole.Headers.CacheControl?.ToString());

        // A player seeking asks for a part: 206 with exactly those bytes.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/video/{job.Id}/result");
        request.Headers.Range = new RangeHeaderValue(100, 1099);
        using var part = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(100, 1099, expected.Length), part.Content.Headers.ContentRange);
        Assert.Equal(expected[100..1100], await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_IsOfferedAsAFile_WithASafeName()
    {
        using var client = await factory.CreateReadyClientAsync();
        var job = await factory.DoneJobAsync("../Old film; 1952.avi");

        using var response = await client.GetAsync($"/video/{job.Id}/result?download=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Old_film_1952-colorized.mp4", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task Original_IsServedAsUploaded()
    {
        using var client = await factory.CreateReadyClientAsync();
        var job = await factory.DoneJobAsync();

        using var response = await client.GetAsync($"/video/{job.Id}/original");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/x-msvideo", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(job.SizeBytes, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Result_OfAJobStillRunning_Is409_WhileTheOriginalIsThere()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var work = new TemporaryDirectory();
        string path = work.File("long.avi");
        TestVideos.Write(path, 400, 192, 144, 24, TestVideos.Panning(192, 144, 1, noise: 0));
        VideoJobSnapshot job;
        await using (var stream = File.OpenRead(path))
            job = await factory.Videos.CreateAsync("long.avi", stream);
        try
        {
            using var result = await client.GetAsync($"/video/{job.Id}/result");
            using var original = await client.GetAsync($"/video/{job.Id}/original");

            Assert.Contains("still being colorized", (await ApiRequests.AssertProblemAsync(result, HttpStatusCode.Conflict)).Detail);
            Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        }
        finally
        {
            factory.Videos.Cancel(job.Id);
        }
        // A running job stops at its next frame.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (factory.Videos.Find(job.Id) is { IsFinished: false } && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        using var cancelled = await client.GetAsync($"/video/{job.Id}/original");
        Assert.Contains("cancelled", (await ApiRequests.AssertProblemAsync(cancelled, HttpStatusCode.NotFound)).Detail);
    }

    [Theory]
    [InlineData("result")]
    [InlineData("original")]
    public async Task UnknownIds_Are404Problems(string file)
    {
        using var client = factory.CreateApiClient();

        foreach (string id in new[] { VideoJobIds.New(), "not-an-id", "..%2F..%2Fetc%2Fpasswd" })
        {
            using var response = await client.GetAsync($"/video/{id}/{file}");
            var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.NotFound);
            Assert.Contains("expired", problem.Detail);
        }
    }

    [Fact]
    public async Task ExpiredJobs_Are404_AndTheirPageSaysSo()
    {
        using var client = await factory.CreateReadyClientAsync();
        var job = await factory.DoneJobAsync();
        using (var before = await client.GetAsync($"/video/{job.Id}/result"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Contains("Old film.avi", await client.GetStringAsync($"/video/{job.Id}"));

        factory.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        factory.Videos.RemoveExpired();

        using var gone = await client.GetAsync($"/video/{job.Id}/result");
        Assert.Contains("expired", (await ApiRequests.AssertProblemAsync(gone, HttpStatusCode.NotFound)).Detail);
        Assert.Contains("not found or has expired", await client.GetStringAsync($"/video/{job.Id}"));
    }

    [Fact]
    public async Task JobPage_OfAnUnknownId_SaysNotFoundOrExpired()
    {
        using var client = factory.CreateApiClient();

        string page = await client.GetStringAsync($"/video/{VideoJobIds.New()}");

        Assert.Contains("not found or has expired", page);
    }
}
