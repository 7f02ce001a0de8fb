using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace Colorizer.Web.Hosting;

/// <summary>
/// A graceful stop cancels the work in flight instead of letting it run into the host's shutdown timeout: every
/// request's <see cref="HttpContext.RequestAborted"/> also fires on <see cref="IHostApplicationLifetime.ApplicationStopping"/>
/// (so an API call waiting in the work queue or between the engine's stages stops there), and a request cut short that
/// way is answered 503 with <c>Retry-After</c> (another instance, or this one restarted, can take it), not left to look
/// like a client that went away. Circuits' work stops through their sessions (see <c>ColorizationSession</c>).
/// </summary>
public static class GracefulStop
{
    /// <summary>Seconds a client is told to wait before trying again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// Adds the middleware: after the exception and status-code handlers (so the request it cuts short reaches
    /// neither as a client that went away) and before anything that starts work.
    /// </summary>
    public static IApplicationBuilder UseGracefulStop(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use(async (context, next) =>
        {
            var aborted = context.RequestAborted;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
            context.RequestAborted = linked.Token;
            bool cutShort;
            try
            {
                await next(context);
                // The framework's own handlers turn a cancelled request into 499 (client closed request).
                cutShort = context.Response.StatusCode == StatusCodes.Status499ClientClosedRequest;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !aborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                cutShort = true;
            }
            finally
            {
                context.RequestAborted = aborted;
            }
            if (cutShort && stopping.IsCancellationRequested && !aborted.IsCancellationRequested && !context.Response.HasStarted)
                await WriteStoppingAsync(context);
        });
    }

    private static async Task WriteStoppingAsync(HttpContext context)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.Connection = "close";
        string detail = $"The server stopped while this request was in progress; nothing was kept. Try again in {RetryAfterSeconds} seconds.";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        bool written = await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The server is shutting down",
                Detail = detail,
            },
        });
        if (!written)
            await response.WriteAsync(detail);
    }
}
