using Colorizer.Core;
using Colorizer.Web.Video;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Colorizer.Web.Api;

/// <summary>
/// The video API: <c>POST /api/videos</c> uploads a video and queues it (202 with <c>Location</c>),
/// <c>GET /api/videos/{id}</c> reports the job, <c>GET /api/videos/{id}/result</c> downloads the MP4 (range requests)
/// and <c>DELETE /api/videos/{id}</c> cancels and deletes it. The jobs are the page's (<see cref="VideoJobService"/>).
/// </summary>
internal static class VideoApi
{
    /// <summary>The query parameter that turns stabilization on or off.</summary>
    public const string Stabilize = "stabilize";

    /// <summary>The query parameter that turns key frames on or off.</summary>
    public const string KeyFrames = "keyFrames";

    /// <summary>Where the jobs live.</summary>
    public const string Prefix = "/api/videos";

    /// <summary>Maps the four endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        var videos = app.MapGroup(Prefix).WithTags("Videos").RequireRateLimiting(ApiRateLimiting.PolicyName);

        videos.MapPost("", CreateAsync)
            .WithName("CreateVideoJob")
            .WithSummary("Colorize a video")
            .WithDescription(
                "Upload a black-and-white video (MP4, MOV, M4V, WebM, MKV or AVI) as multipart/form-data in a field named `file`. " +
                "It is saved and queued, and the answer is 202 Accepted at once, with the job's address in `Location` and its state " +
                "as the body; poll `GET /api/videos/{id}` until its `state` is `done`, then download `result.resultUrl`. The options are " +
                "the photo API's (`model`, `renderSize` for eccv16 or `modelSize` for DDColor and DeOldify, `saturation`, `temperature`, " +
                "`restore`, `restoreStrength`), plus `stabilize` and `keyFrames` (true/false or on/off, both on by default). " +
                "Videos are colorized one at a time; when too many are waiting (`Video:MaxQueuedJobs`) the answer is 503 with Retry-After.")
            .Produces<VideoJobResource>(StatusCodes.Status202Accepted, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(VideoApiDocumentation.DescribeCreateAsync)
            // For scripts and other servers, as POST /api/colorize: no antiforgery token.
            .DisableAntiforgery();

        videos.MapGet("/{id}", Get)
            .WithName("GetVideoJob")
            .WithSummary("Get a video job's state")
            .WithDescription(
                "The job's state: `queued` with its place in line (`queue.jobsAhead`), `running` with frames done of the total, speed " +
                "and time left (`progress`), `done` with what the colorization did and the result's address (`result`), `failed` with " +
                "the reason or `cancelled` (`error`); and the settings it is colorized with. Finished jobs are kept for " +
                "`Video:RetainFinishedFor` (one hour by default), then the id is a 404.")
            .Produces<VideoJobResource>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddOpenApiOperationTransformer(VideoApiDocumentation.DescribeGetAsync);

        videos.MapGet("/{id}/result", GetResult)
            .WithName("GetVideoResult")
            .WithSummary("Download a colorized video")
            .WithDescription(
                "The colorized video as MP4 (H.264 when the server has ffmpeg), offered as a download. Range requests are supported " +
                "(206 Partial Content), so players can seek and downloads can resume. 409 while the job is queued or running; 404 when " +
                "it failed, was cancelled, was deleted, has expired or never existed.")
            .Produces(StatusCodes.Status200OK, contentType: "video/mp4")
            .Produces(StatusCodes.Status206PartialContent, contentType: "video/mp4")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddOpenApiOperationTransformer(VideoApiDocumentation.DescribeResultAsync);

        videos.MapDelete("/{id}", Delete)
            .WithName("DeleteVideoJob")
            .WithSummary("Cancel and delete a video job")
            .WithDescription(
                "Cancels the job if it has not finished, forgets it and deletes its files (the upload and the result). The answer is " +
                "204 No Content; the id is a 404 from then on.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddOpenApiOperationTransformer(VideoApiDocumentation.DescribeDeleteAsync);
    }

    private static async Task<Results<Accepted<VideoJobResource>, ProblemHttpResult>> CreateAsync(
        HttpContext context,
        VideoJobService jobs,
        [FromQuery(Name = ColorizeQuery.Temperature)] string? temperature = null,
        [FromQuery(Name = ColorizeQuery.Saturation)] string? saturation = null,
        [FromQuery(Name = ColorizeQuery.RenderSize)] string? renderSize = null,
        [FromQuery(Name = ColorizeQuery.Model)] string? model = null,
        [FromQuery(Name = ColorizeQuery.ModelSize)] string? modelSize = null,
        [FromQuery(Name = ColorizeQuery.Restore)] string? restore = null,
        [FromQuery(Name = ColorizeQuery.RestoreStrength)] string? restoreStrength = null,
        [FromQuery(Name = Stabilize)] string? stabilize = null,
        [FromQuery(Name = KeyFrames)] string? keyFrames = null)
    {
        var ct = context.RequestAborted;
        try
        {
            // The options first: a bad one costs no upload.
            var query = ColorizeQuery.Parse(temperature, saturation, renderSize, format: null, transfer: null, model, modelSize, metadata: null,
                restore, restoreStrength);
            var settings = new VideoJobSettings(query.Options, ParseSwitch(stabilize, nameof(VideoJobSettings.Stabilize)),
                ParseSwitch(keyFrames, nameof(VideoJobSettings.KeyFrames)));
            settings.Validate();

            // Videos have their own, larger limit than photos: this request may be as large as a video (and its form's framing).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = jobs.MaxFileBytes + UploadLimits.MultipartAllowanceBytes;

            var upload = await VideoUploadReader.ReadAsync(context.Request, jobs.MaxFileBytes, ct);
            var job = await jobs.CreateAsync(upload.FileName, upload.Content, settings, received: null, ct);
            string url = Url(context, job.Id);
            return TypedResults.Accepted(url, VideoJobResource.From(job, url));
        }
        catch (Exception ex) when (ApiProblems.TryCreate(ex, context, out var problem))
        {
            return problem;
        }
    }

    private static Results<Ok<VideoJobResource>, ProblemHttpResult> Get(string id, VideoJobService jobs, HttpContext context) =>
        jobs.Find(id) is { } job ? TypedResults.Ok(VideoJobResource.From(job, Url(context, job.Id))) : VideoFileResults.NotFound(jobs, context);

    private static IResult GetResult(string id, VideoJobService jobs, HttpContext context) =>
        VideoFileResults.Serve(jobs, id, VideoFileKind.Result, download: true, context);

    private static Results<NoContent, ProblemHttpResult> Delete(string id, VideoJobService jobs, HttpContext context) =>
        jobs.Delete(id) ? TypedResults.NoContent() : VideoFileResults.NotFound(jobs, context);

    /// <summary>The job's address, under the app's base path.</summary>
    private static string Url(HttpContext context, string id) => $"{context.Request.PathBase}{Prefix}/{id}";

    /// <summary>true/false or on/off (any case); absent or empty is on, as on the page.</summary>
    internal static bool ParseSwitch(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
            return true;
        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "on" => true,
            "false" or "off" => false,
            _ => throw new InvalidColorizationOptionException(option,
                $"{option} must be true or false (or on or off); got '{UploadReader.Shorten(text)}'."),
        };
    }
}
