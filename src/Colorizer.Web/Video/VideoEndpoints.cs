using Microsoft.AspNetCore.Http.HttpResults;

namespace Colorizer.Web.Video;

/// <summary>
/// The files of a video job, as plain GETs so a <c>&lt;video&gt;</c> element can play and seek them (range requests)
/// and a link can download them: <c>/video/{id}/result</c> (the colorized MP4; <c>?download=true</c> offers it as a
/// file) and <c>/video/{id}/original</c> (the upload). An unknown or expired id is a 404 problem.
/// </summary>
internal static class VideoEndpoints
{
    /// <summary>Maps the two endpoints.</summary>
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/video/{id}").ExcludeFromDescription();
        group.MapGet("/result", (string id, bool? download, VideoJobService jobs, HttpContext context) =>
            Serve(jobs, id, VideoFileKind.Result, download == true, context));
        group.MapGet("/original", (string id, bool? download, VideoJobService jobs, HttpContext context) =>
            Serve(jobs, id, VideoFileKind.Original, download == true, context));
        return app;
    }

    private static IResult Serve(VideoJobService jobs, string id, VideoFileKind kind, bool download, HttpContext context)
    {
        if (jobs.GetFile(id, kind) is not { } file)
            return Missing(jobs, id, kind);
        FileStream stream;
        try
        {
            // Shared for deletion: the clean-up may remove an expired job's files while a player still reads them.
            stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Missing(jobs, id, kind);
        }
        var headers = context.Response.Headers;
        // The id is the key to the file: keep it out of shared caches and search engines.
        headers.CacheControl = "private, no-cache";
        headers["X-Robots-Tag"] = "noindex";
        return TypedResults.File(stream, file.ContentType, download ? file.DownloadName : null,
            lastModified: File.GetLastWriteTimeUtc(file.Path), entityTag: null, enableRangeProcessing: true);
    }

    private static ProblemHttpResult Missing(VideoJobService jobs, string id, VideoFileKind kind)
    {
        string what = kind == VideoFileKind.Result ? "colorized video" : "original video";
        return jobs.Find(id) switch
        {
            null => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found",
                detail: $"There is no video job with this id: the address is wrong, or the job has expired (finished jobs are kept for {Describe(jobs.RetainFinishedFor)})."),
            { State: VideoJobState.Queued or VideoJobState.Running } => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "Not ready yet", detail: $"The video is still being colorized; the {what} is available once it is done."),
            { State: var state } => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Video not found",
                detail: $"The job {(state == VideoJobState.Failed ? "failed" : "was cancelled")}, so it has no {what}."),
        };
    }

    internal static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } when span.TotalDays % 1 == 0 => Plural((int)span.TotalDays, "day"),
        { TotalHours: >= 1 } when span.TotalHours % 1 == 0 => Plural((int)span.TotalHours, "hour"),
        { TotalMinutes: >= 1 } when span.TotalMinutes % 1 == 0 => Plural((int)span.TotalMinutes, "minute"),
        _ => Plural((int)Math.Ceiling(span.TotalSeconds), "second"),
    };

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
