using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Colorizer.Core;
using Colorizer.Web.Colorization;
using Colorizer.Web.Video;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Colorizer.Web.Api;

/// <summary>
/// The one place where the API turns an exception into an RFC 7807 problem: its status, title and detail, and a
/// <c>Retry-After</c> header when trying again later can help. Bad input is always a 4xx, never a 500.
/// </summary>
internal static class ApiProblems
{
    /// <summary>Seconds to wait when the work queue is full.</summary>
    public const int BusyRetryAfterSeconds = 5;

    /// <summary>Seconds to wait when a colorization's deadline passed (the line was long, or the work slow).</summary>
    public const int DeadlineRetryAfterSeconds = 10;

    /// <summary>Seconds to wait while the model downloads or loads.</summary>
    public const int LoadingRetryAfterSeconds = 10;

    /// <summary>Seconds to wait when the model failed to load (someone has to fix its files first).</summary>
    public const int FailedRetryAfterSeconds = 60;

    /// <summary>Seconds to wait when too many videos are waiting (each takes a while: this is longer than for photos).</summary>
    public const int VideoBusyRetryAfterSeconds = 30;

    /// <summary>The problem for <paramref name="exception"/>, or false when it is not one the API expects (a bug: 500).</summary>
    public static bool TryCreate(Exception exception, HttpContext context, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        problem = exception switch
        {
            InvalidUploadException e => Problem(StatusCodes.Status400BadRequest, "The request carries no readable upload", e.Message),
            InvalidImageException e => Problem(StatusCodes.Status400BadRequest, "The file is not a readable image", e.Message),
            BadHttpRequestException e => Problem(e.StatusCode, "Bad request", e.Message),
            UploadTooLargeException e => Problem(StatusCodes.Status413PayloadTooLarge, "The upload is too large", e.Message),
            UnsupportedImageFormatException e => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported image format", e.Message),
            ImageTooLargeException e => Problem(StatusCodes.Status422UnprocessableEntity, "The image is too large", e.Message),
            ImageTooComplexException e => Problem(StatusCodes.Status422UnprocessableEntity, "The image would take too long to decode", e.Message),
            InvalidColorizationOptionException e => InvalidOption(e),
            InvalidHintsException e => InvalidGuidance(e),
            WorkQueueFullException e => RetryLater(context, StatusCodes.Status429TooManyRequests, BusyRetryAfterSeconds,
                "The server is busy", e.Message),
            DeadlineExceededException e => RetryLater(context, StatusCodes.Status503ServiceUnavailable, DeadlineRetryAfterSeconds,
                "The server is too busy", e.Message),
            InferenceFailedException e => RetryLater(context, StatusCodes.Status503ServiceUnavailable, BusyRetryAfterSeconds,
                "The colorization failed", e.Message),
            ModelNotReadyException { MayRecover: true } e => RetryLater(context, StatusCodes.Status503ServiceUnavailable,
                LoadingRetryAfterSeconds, "The model is not ready yet", e.Message),
            // The failure's own message names files and paths on the server: that is for its log and its page, not for API clients.
            ModelNotReadyException or ModelFilesException or ModelDownloadException => RetryLater(context,
                StatusCodes.Status503ServiceUnavailable, FailedRetryAfterSeconds, "The model is not available",
                "The colorization model could not be loaded, so the server cannot colorize until its model files are fixed; the server's log says what is wrong."),
            VideoJobRefusedException e => VideoRefused(context, e),
            _ => null,
        };
        if (problem is not null)
            Diagnostics.RefusalLogging.NoteReason(context, problem.ProblemDetails.Title ?? "", problem.ProblemDetails.Detail);
        return problem is not null;
    }

    /// <summary>429 for a client over its rate limit (<see cref="ApiRateLimiting"/>), with Retry-After in whole seconds.</summary>
    public static ProblemHttpResult RateLimited(HttpContext context, int retryAfterSeconds, string detail)
    {
        Diagnostics.RefusalLogging.NoteReason(context, "Too many requests", detail);
        return RetryLater(context, StatusCodes.Status429TooManyRequests, retryAfterSeconds, "Too many requests", detail);
    }

    /// <summary>
    /// A refused video upload: 415 for a file that is not a supported video (by its extension, or by its content), 413
    /// over <c>Video:MaxFileBytes</c>, 400 for an empty file, 503 with Retry-After when too many videos are waiting or the
    /// job could not be stored.
    /// </summary>
    private static ProblemHttpResult VideoRefused(HttpContext context, VideoJobRefusedException e) => e.Reason switch
    {
        VideoJobRefusal.UnsupportedFormat => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported video format", e.Message),
        VideoJobRefusal.NotAVideo => Problem(StatusCodes.Status415UnsupportedMediaType, "The file is not a readable video", e.Message),
        VideoJobRefusal.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "The upload is too large", e.Message),
        VideoJobRefusal.Busy => RetryLater(context, StatusCodes.Status503ServiceUnavailable, VideoBusyRetryAfterSeconds, "The server is busy", e.Message),
        VideoJobRefusal.StorageFailed => RetryLater(context, StatusCodes.Status503ServiceUnavailable, FailedRetryAfterSeconds,
            "The video could not be stored", e.Message),
        _ => Problem(StatusCodes.Status400BadRequest, "The video was not accepted", e.Message),
    };

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    private static ProblemHttpResult RetryLater(HttpContext context, int status, int seconds, string title, string detail)
    {
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problem(status, title, detail);
    }

    /// <summary>422 for hints or a reference photo that cannot be used, with <c>errors</c> keyed by the form field.</summary>
    private static ProblemHttpResult InvalidGuidance(InvalidHintsException e)
    {
        string field = e.ConcernsReference ? UploadReader.ReferenceFieldName : UploadReader.HintsFieldName;
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [e.Message] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = e.ConcernsReference ? "Unusable reference photo" : "Invalid hints",
            Detail = e.Message,
        });
    }

    /// <summary>422 naming the query parameter, with the validation-problem <c>errors</c> map keyed by it.</summary>
    private static ProblemHttpResult InvalidOption(InvalidColorizationOptionException e)
    {
        string parameter = ColorizeQuery.ParameterFor(e.OptionName);
        // The engine words its messages "Temperature must be ..."; say it with the name the client used.
        string detail = e.Message.StartsWith(e.OptionName + " ", StringComparison.Ordinal)
            ? $"The query parameter '{parameter}'{e.Message[e.OptionName.Length..]}"
            : $"The query parameter '{parameter}' is invalid: {e.Message}";
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [detail] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Invalid option",
            Detail = detail,
        });
    }
}
