using Microsoft.AspNetCore.Http.HttpResults;

namespace Colorizer.Web.Video;

/// <summary>
/// Serves a video job's files for the page's <c>/video/{id}/…</c> and the API's <c>/api/videos/{id}/result</c> alike:
/// streamed from disk with range requests (so players can seek and downloads can resume), kept out of shared caches,
/// and a problem (404, or 409 while the job has not finished) when there is no such file.
/// </summary>
internal static class VideoFileResults
{
    /// <summary>
    /// The job's <paramref name="kind"/> file, offered as a download (with its download name) when
    /// <paramref name="download"/> is true; otherwise the problem that says why there is none.
    /// </summary>
    public static IResult Serve(VideoJobService jobs, string id, VideoFileKind kind, bool download, HttpContext context)
    {
        if (jobs.GetFile(id, kind) is not { } file)
            return Missing(jobs, id, kind, context);
        FileStream stream;
        try
        {
            // Shared for deletion: the clean-up may remove an expired job's files while a player still reads them.
            stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Missing(jobs, id, kind, context);
        }
        var headers = context.Response.Headers;
        // The id is the key to the file: keep it out of shared caches and search engines.
        headers.CacheControl = "private, no-cache";
        headers["X-Robots-Tag"] = "noindex";
        return TypedResults.File(stream, file.ContentType, download ? file.DownloadName : null,
            lastModified: File.GetLastWriteTimeUtc(file.Path), entityTag: null, enableRangeProcessing: true);
    }

    /// <summary>404 for a job that does not exist (or has expired, or has been deleted).</summary>
    public static ProblemHttpResult NotFound(VideoJobService jobs, HttpContext context) => Problem(context, StatusCodes.Status404NotFound,
        "Video not found",
        $"There is no video job with this id: the address is wrong, or the job has expired (finished jobs are kept for {VideoEndpoints.Describe(jobs.RetainFinishedFor)}) or was deleted.");

    private static ProblemHttpResult Missing(VideoJobService jobs, string id, VideoFileKind kind, HttpContext context)
    {
        string what = kind == VideoFileKind.Result ? "colorized video" : "original video";
        return jobs.Find(id) switch
        {
            null => NotFound(jobs, context),
            { State: VideoJobState.Queued or VideoJobState.Running } => Problem(context, StatusCodes.Status409Conflict,
                "Not ready yet", $"The video is still being colorized; the {what} is available once it is done."),
            { State: var state } => Problem(context, StatusCodes.Status404NotFound, "Video not found",
                $"The job {(state == VideoJobState.Failed ? "failed" : "was cancelled")}, so it has no {what}."),
        };
    }

    // Noted for the refusal log (Diagnostics.RefusalLogging), as the API's other problems are.
    private static ProblemHttpResult Problem(HttpContext context, int status, string title, string detail)
    {
        Diagnostics.RefusalLogging.NoteReason(context, title, detail);
        return TypedResults.Problem(statusCode: status, title: title, detail: detail);
    }
}
