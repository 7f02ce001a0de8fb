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
            VideoFileResults.Serve(jobs, id, VideoFileKind.Result, download == true, context));
        group.MapGet("/original", (string id, bool? download, VideoJobService jobs, HttpContext context) =>
            VideoFileResults.Serve(jobs, id, VideoFileKind.Original, download == true, context));
        return app;
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
