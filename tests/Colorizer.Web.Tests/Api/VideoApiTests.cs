using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Colorizer.Testing;
using Colorizer.Web.Api;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Diagnostics;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Api;

/// <summary>Generated clips for the video API's tests, and the API's requests.</summary>
internal static class VideoApiRequests
{
    /// <summary>The frames of <see cref="Clip"/>.</summary>
    public const int ClipFrames = 24;

    /// <summary>A 24-frame, 160 × 120 Motion-JPEG clip of a slowly panning gradient, as bytes.</summary>
    public static byte[] Clip(int frames = ClipFrames, int width = 160, int height = 120, double noise = 2)
    {
        using var work = new TemporaryDirectory();
        string path = work.File("clip.avi");
        TestVideos.Write(path, frames, width, height, 24, noise > 8
            ? TestVideos.NoisyFlat(width, height, 128, noise)
            : TestVideos.Panning(width, height, 1, noise));
        return File.ReadAllBytes(path);
    }

    /// <summary>POSTs <paramref name="file"/> to <c>/api/videos</c> with an optional query string (without '?').</summary>
    public static Task<HttpResponseMessage> PostVideoAsync(this HttpClient client, byte[] file, string query = "", string fileName = "Old film.avi") =>
        client.PostAsync(query.Length == 0 ? "/api/videos" : "/api/videos?" + query, ApiRequests.Form(file, fileName));

    /// <summary>The state JSON of a 202 or 200 answer.</summary>
    public static async Task<JsonElement> StateAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls <c>GET /api/videos/{id}</c> until the job has finished; returns its last state.</summary>
    public static async Task<JsonElement> WaitUntilFinishedAsync(this HttpClient client, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (true)
        {
            using var response = await client.GetAsync($"/api/videos/{id}");
            var state = await StateAsync(response, HttpStatusCode.OK);
            if (state.GetProperty("state").GetString() is "done" or "failed" or "cancelled")
                return state;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The video job is still {state.GetProperty("state").GetString()}.");
            await Task.Delay(50);
        }
    }
}

/// <summary>The app with the refusals' log lines kept (see <see cref="MetricsWebFactory"/>).</summary>
public sealed class VideoApiFactory : MetricsWebFactory;

/// <summary><c>/api/videos</c>: upload, poll, download, delete, and every refusal as a problem.</summary>
public sealed class VideoApiTests(VideoApiFactory factory) : IClassFixture<VideoApiFactory>
{
    [Fact]
    public async Task PostedClip_IsAccepted_Polled_Downloaded_AndDeleted()
    {
        using var client = await factory.CreateReadyClientAsync();

        using var posted = await client.PostVideoAsync(VideoApiRequests.Clip(), "saturation=1.5&renderSize=128&stabilize=off&keyFrames=true&restore=dust");

        var accepted = await VideoApiRequests.StateAsync(posted, HttpStatusCode.Accepted);
        string id = accepted.GetProperty("id").GetString()!;
        Assert.True(VideoJobIds.IsWellFormed(id), id);
        Assert.Equal($"/api/videos/{id}", posted.Headers.Location?.OriginalString);
        Assert.Equal($"/api/videos/{id}", accepted.GetProperty("url").GetString());
        Assert.Contains(accepted.GetProperty("state").GetString(), new[] { "queued", "running", "done" });
        Assert.Equal("Old film.avi", accepted.GetProperty("fileName").GetString());
        var settings = accepted.GetProperty("settings");
        Assert.Equal("eccv16", settings.GetProperty("model").GetString());
        Assert.Equal(128, settings.GetProperty("renderSize").GetInt32());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("modelSize").ValueKind);
        Assert.Equal(1.5, settings.GetProperty("saturation").GetDouble());
        Assert.False(settings.GetProperty("stabilize").GetBoolean());
        Assert.True(settings.GetProperty("keyFrames").GetBoolean());
        Assert.Equal("dust", settings.GetProperty("restore").GetString());

        var done = await client.WaitUntilFinishedAsync(id);

        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("queue").ValueKind);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("progress").ValueKind);
        Assert.Equal(JsonValueKind.String, done.GetProperty("finishedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, done.GetProperty("expiresAt").ValueKind);
        var result = done.GetProperty("result");
        Assert.Equal(VideoApiRequests.ClipFrames, result.GetProperty("frames").GetInt32());
        Assert.Equal(160, result.GetProperty("width").GetInt32());
        Assert.Equal(120, result.GetProperty("height").GetInt32());
        Assert.Equal(24, result.GetProperty("framesPerSecond").GetDouble(), 3);
        Assert.Equal(1.0, result.GetProperty("durationSeconds").GetDouble(), 3);
        Assert.InRange(result.GetProperty("networkPasses").GetInt32(), 1, VideoApiRequests.ClipFrames);
        Assert.Equal(JsonValueKind.False, result.GetProperty("audioKept").ValueKind);
        Assert.Equal($"/api/videos/{id}/result", result.GetProperty("resultUrl").GetString());
        Assert.Equal("Old_film-colorized.mp4", result.GetProperty("downloadName").GetString());

        using var whole = await client.GetAsync($"/api/videos/{id}/result");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", string.Join(",", whole.Headers.AcceptRanges));
        Assert.Equal("attachment", whole.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Old_film-colorized.mp4", whole.Content.Headers.ContentDisposition?.FileNameStar ?? whole.Content.Headers.ContentDisposition?.FileName);
        byte[] mp4 = await whole.Content.ReadAsByteArrayAsync();
        Assert.True(mp4.Length > 1000, $"{mp4.Length} bytes");
        Assert.Equal("ftyp", Encoding.ASCII.GetString(mp4, 4, 4));

        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/videos/{id}/result"))
        {
            request.Headers.Range = new RangeHeaderValue(100, 599);
            using var part = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(new ContentRangeHeaderValue(100, 599, mp4.Length), part.Content.Headers.ContentRange);
            Assert.Equal(mp4.AsSpan(100, 500).ToArray(), await part.Content.ReadAsByteArrayAsync());
        }

        using var deleted = await client.DeleteAsync($"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(factory.Services.GetRequiredService<VideoJobService>().Find(id));

        await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}"), HttpStatusCode.NotFound);
        await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}/result"), HttpStatusCode.NotFound);
        await ApiRequests.AssertProblemAsync(await client.DeleteAsync($"/api/videos/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WhileRunning_TheStateHasProgress_TheResultIs409_AndDeleteStopsIt()
    {
        using var client = await factory.CreateReadyClientAsync();
        // Every frame through the network and the steadying: seconds of work, far longer than a poll.
        const int frames = 120;
        using var posted = await client.PostVideoAsync(VideoApiRequests.Clip(frames, 320, 240), "keyFrames=off");
        string id = (await VideoApiRequests.StateAsync(posted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;

        JsonElement state;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            using var response = await client.GetAsync($"/api/videos/{id}");
            state = await VideoApiRequests.StateAsync(response, HttpStatusCode.OK);
            Assert.True(DateTime.UtcNow < deadline, "The job never ran.");
            await Task.Delay(5);
        }
        while (state.GetProperty("state").GetString() == "queued"
            || (state.GetProperty("state").GetString() == "running" && state.GetProperty("progress").GetProperty("framesDone").GetInt32() == 0));

        Assert.Equal("running", state.GetProperty("state").GetString());
        var progress = state.GetProperty("progress");
        Assert.InRange(progress.GetProperty("framesDone").GetInt32(), 1, frames - 1);
        Assert.Equal(frames, progress.GetProperty("totalFrames").GetInt32());
        Assert.True(progress.GetProperty("framesPerSecond").GetDouble() > 0);
        Assert.True(progress.TryGetProperty("etaSeconds", out _));
        Assert.Equal(JsonValueKind.String, state.GetProperty("startedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("result").ValueKind);
        Assert.False(state.GetProperty("settings").GetProperty("keyFrames").GetBoolean());

        var notYet = await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}/result"), HttpStatusCode.Conflict);
        Assert.Contains("still being colorized", notYet.Detail);

        using var deleted = await client.DeleteAsync($"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NotMultipart_Is400()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.PostAsync("/api/videos", new ByteArrayContent(VideoApiRequests.Clip()));

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("multipart/form-data", problem.Detail);
    }

    [Fact]
    public async Task NoFileField_Is400_NamingTheFieldsThereAre()
    {
        using var client = factory.CreateApiClient();
        using var form = ApiRequests.Form(VideoApiRequests.Clip(), "clip.avi", field: "video");
        form.Add(new StringContent("hello"), "note");

        using var response = await client.PostAsync("/api/videos", form);

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'file'", problem.Detail);
        Assert.Contains("'video'", problem.Detail);
    }

    [Fact]
    public async Task FileFieldHoldingText_Is400()
    {
        using var client = factory.CreateApiClient();
        using var form = new MultipartFormDataContent { { new StringContent("not a file"), "file" } };

        using var response = await client.PostAsync("/api/videos", form);

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("text, not a file", problem.Detail);
    }

    [Fact]
    public async Task TruncatedForm_Is400()
    {
        using var client = factory.CreateApiClient();
        int before = factory.Services.GetRequiredService<VideoJobService>().Count;
        byte[] clip = VideoApiRequests.Clip();
        string head = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.avi\"\r\n\r\n";
        byte[] body = [.. Encoding.ASCII.GetBytes(head), .. clip.AsSpan(0, clip.Length / 2)];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        using var response = await client.PostAsync("/api/videos", content);

        await ApiRequests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(before, factory.Services.GetRequiredService<VideoJobService>().Count);
    }

    [Fact]
    public async Task EmptyFile_Is400()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.PostVideoAsync([], fileName: "empty.mp4");

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("empty", problem.Detail);
    }

    [Fact]
    public async Task WrongExtension_Is415()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.PostVideoAsync(VideoApiRequests.Clip(), fileName: "clip.txt");

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(".mp4", problem.Detail);
    }

    [Fact]
    public async Task NotAVideo_WithAVideoExtension_Is415()
    {
        using var client = factory.CreateApiClient();
        byte[] junk = new byte[20_000];
        new Random(7).NextBytes(junk);

        using var response = await client.PostVideoAsync(junk, fileName: "holiday.mp4");

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("holiday.mp4", problem.Detail);
        Assert.Contains("not a video", problem.Detail);
    }

    [Theory]
    [InlineData("saturation=5", "saturation")]
    [InlineData("renderSize=100", "renderSize")]
    [InlineData("model=nonsense", "model")]
    [InlineData("model=ddcolor&renderSize=256", "renderSize")]
    [InlineData("restore=polish", "restore")]
    [InlineData("stabilize=maybe", "stabilize")]
    [InlineData("keyFrames=2", "keyFrames")]
    public async Task OptionOutOfRange_Is422_NamingIt(string query, string parameter)
    {
        using var client = factory.CreateApiClient();

        using var response = await client.PostVideoAsync(VideoApiRequests.Clip(frames: 2), query);

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"'{parameter}'", problem.Detail);
        Assert.True(problem.Errors.ContainsKey(parameter), string.Join(", ", problem.Errors.Keys));
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")] // well formed, never issued
    [InlineData("not-an-id")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    public async Task UnknownOrMalformedId_Is404_ForEveryOperation(string id)
    {
        using var client = factory.CreateApiClient();

        var problem = await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}"), HttpStatusCode.NotFound);
        Assert.Contains("no video job", problem.Detail);
        await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}/result"), HttpStatusCode.NotFound);
        await ApiRequests.AssertProblemAsync(await client.DeleteAsync($"/api/videos/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ARefusal_IsLoggedOnce_WithItsReason()
    {
        using var client = factory.CreateApiClient();
        int before = factory.Refusals.Count;

        using var response = await client.PostVideoAsync(VideoApiRequests.Clip(frames: 2), "stabilize=maybe");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var lines = factory.Refusals.Skip(before).Where(l => l.Contains("/api/videos", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.StartsWith("Information Refused POST /api/videos with 422", line);
        Assert.Contains("'stabilize'", line);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheFourOperations()
    {
        using var client = factory.CreateApiClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = json.RootElement.GetProperty("paths");
        var post = paths.GetProperty("/api/videos").GetProperty("post");
        Assert.Equal("CreateVideoJob", post.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(post.GetProperty("summary").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(post.GetProperty("description").GetString()));
        var parameters = post.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
        Assert.Equal(["keyFrames", "model", "modelSize", "renderSize", "restore", "restoreStrength", "saturation", "stabilize", "temperature"], parameters.Keys.Order());
        Assert.Equal("integer", parameters["renderSize"].GetProperty("schema").GetProperty("type").GetString());
        Assert.Contains("off", parameters["stabilize"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("binary", post.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data")
            .GetProperty("schema").GetProperty("properties").GetProperty("file").GetProperty("format").GetString());
        var responses = post.GetProperty("responses");
        Assert.Equal(["202", "400", "413", "415", "422", "429", "503"], responses.EnumerateObject().Select(r => r.Name).Order());
        Assert.True(responses.GetProperty("202").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(responses.GetProperty("202").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));

        var get = paths.GetProperty("/api/videos/{id}").GetProperty("get");
        Assert.Equal("GetVideoJob", get.GetProperty("operationId").GetString());
        Assert.Equal(["200", "404", "429"], get.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        var delete = paths.GetProperty("/api/videos/{id}").GetProperty("delete");
        Assert.Equal("DeleteVideoJob", delete.GetProperty("operationId").GetString());
        Assert.Equal(["204", "404", "429"], delete.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        var result = paths.GetProperty("/api/videos/{id}/result").GetProperty("get");
        Assert.Equal("GetVideoResult", result.GetProperty("operationId").GetString());
        Assert.True(result.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("video/mp4", out _));
        Assert.True(result.GetProperty("responses").GetProperty("206").GetProperty("content").TryGetProperty("video/mp4", out _));
        Assert.True(result.GetProperty("responses").TryGetProperty("409", out _));
        Assert.All(new[] { post, get, delete, result }, op => Assert.Equal("Videos", op.GetProperty("tags")[0].GetString()));
    }
}

/// <summary>
/// One job slot, a line of one, at most two videos waiting: a test that holds the slot keeps videos queued.
/// </summary>
public sealed class BusyVideoApiFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "4",
    ["Video:MaxQueuedJobs"] = "2",
});

public sealed class VideoApiQueueTests(BusyVideoApiFactory factory) : IClassFixture<BusyVideoApiFactory>
{
    [Fact]
    public async Task WhileQueued_TheStateSaysItsPlace_TheResultIs409_AndTooManyWaitingIs503WithRetryAfter()
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] clip = VideoApiRequests.Clip(frames: 6);
        string first, second;
        using (factory.Queue.Enter()) // the one slot is taken: videos wait for it
        {
            using var one = await client.PostVideoAsync(clip);
            first = (await VideoApiRequests.StateAsync(one, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
            using var two = await client.PostVideoAsync(clip);
            var queued = await VideoApiRequests.StateAsync(two, HttpStatusCode.Accepted);
            second = queued.GetProperty("id").GetString()!;
            Assert.Equal("queued", queued.GetProperty("state").GetString());
            Assert.Equal(1, queued.GetProperty("queue").GetProperty("jobsAhead").GetInt32());

            using var state = await client.GetAsync($"/api/videos/{first}");
            var firstState = await VideoApiRequests.StateAsync(state, HttpStatusCode.OK);
            Assert.Equal("queued", firstState.GetProperty("state").GetString());
            Assert.Equal(0, firstState.GetProperty("queue").GetProperty("jobsAhead").GetInt32());
            Assert.Equal(JsonValueKind.Null, firstState.GetProperty("result").ValueKind);

            var notYet = await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{first}/result"), HttpStatusCode.Conflict);
            Assert.Contains("still being colorized", notYet.Detail);

            using var third = await client.PostVideoAsync(clip);
            var busy = await ApiRequests.AssertProblemAsync(third, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("busy", busy.Detail);
            Assert.Equal(TimeSpan.FromSeconds(ApiProblems.VideoBusyRetryAfterSeconds), third.Headers.RetryAfter?.Delta);

            // Deleting a queued job makes room again, and leaves the other in line.
            using var deleted = await client.DeleteAsync($"/api/videos/{second}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{second}"), HttpStatusCode.NotFound);
        }

        var done = await client.WaitUntilFinishedAsync(first);
        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Equal(6, done.GetProperty("result").GetProperty("frames").GetInt32());
        using var result = await client.GetAsync($"/api/videos/{first}/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
    }

    [Fact]
    public async Task CancelledJob_ReportsCancelled_AndHasNoResult()
    {
        using var client = await factory.CreateReadyClientAsync();
        string id;
        using (factory.Queue.Enter())
        {
            using var posted = await client.PostVideoAsync(VideoApiRequests.Clip(frames: 4));
            id = (await VideoApiRequests.StateAsync(posted, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
            Assert.True(factory.Services.GetRequiredService<VideoJobService>().Cancel(id));
        }

        var state = await client.WaitUntilFinishedAsync(id);

        Assert.Equal("cancelled", state.GetProperty("state").GetString());
        Assert.False(string.IsNullOrWhiteSpace(state.GetProperty("error").GetString()));
        var problem = await ApiRequests.AssertProblemAsync(await client.GetAsync($"/api/videos/{id}/result"), HttpStatusCode.NotFound);
        Assert.Contains("cancelled", problem.Detail);
        using var deleted = await client.DeleteAsync($"/api/videos/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}

/// <summary>
/// Over Kestrel, with a photo limit far below the video: Kestrel's request-size limit (set for photos) must not refuse
/// a video, which has its own limit.
/// </summary>
public sealed class KestrelVideoApiFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Upload:MaxFileBytes"] = "1024",
}, kestrel: true);

public sealed class VideoApiKestrelTests(KestrelVideoApiFactory factory) : IClassFixture<KestrelVideoApiFactory>
{
    [Fact]
    public async Task AVideoLargerThanThePhotoRequestLimit_IsAccepted()
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] clip = VideoApiRequests.Clip(frames: 12, width: 640, height: 480, noise: 40);
        Assert.True(clip.Length > UploadLimits.MaxRequestBodyBytes(new UploadOptions { MaxFileBytes = 1024 }), $"The clip has only {clip.Length} bytes.");

        using var posted = await client.PostVideoAsync(clip);

        var state = await VideoApiRequests.StateAsync(posted, HttpStatusCode.Accepted);
        Assert.Equal(clip.Length, state.GetProperty("sizeBytes").GetInt64());
        using var deleted = await client.DeleteAsync(posted.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}

/// <summary>Over Kestrel, with a video limit of 20 KB.</summary>
public sealed class SmallVideoLimitFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Video:MaxFileBytes"] = "20480",
}, kestrel: true);

public sealed class VideoApiLimitTests(SmallVideoLimitFactory factory) : IClassFixture<SmallVideoLimitFactory>
{
    [Fact]
    public async Task AVideoOverTheLimit_Is413()
    {
        using var client = factory.CreateApiClient();
        byte[] clip = VideoApiRequests.Clip();
        Assert.True(clip.Length > 40_000, $"The clip has only {clip.Length} bytes.");

        using var response = await client.PostVideoAsync(clip);

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("20 KB", problem.Detail);
    }

    [Fact]
    public async Task AVideoOverTheLimit_SentWithoutContentLength_Is413()
    {
        using var client = factory.CreateApiClient();
        int before = factory.Services.GetRequiredService<VideoJobService>().Count;
        using var form = ApiRequests.Form(VideoApiRequests.Clip(), "clip.avi");
        using var chunked = new UnknownLengthContent(form);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/videos") { Content = chunked };

        using var response = await client.SendAsync(request);

        Assert.True(request.Headers.TransferEncodingChunked);
        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("20 KB", problem.Detail);
        Assert.Equal(before, factory.Services.GetRequiredService<VideoJobService>().Count);
    }

    [Fact]
    public async Task AVideoWithinTheLimit_IsAccepted()
    {
        using var client = await factory.CreateReadyClientAsync();
        byte[] clip = VideoApiRequests.Clip(frames: 2, width: 64, height: 48);
        Assert.True(clip.Length < 20_000, $"The clip has {clip.Length} bytes.");

        using var posted = await client.PostVideoAsync(clip);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal("done", (await client.WaitUntilFinishedAsync(Path.GetFileName(posted.Headers.Location!.OriginalString))).GetProperty("state").GetString());
    }
}
