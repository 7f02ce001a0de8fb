using System.Globalization;

namespace Colorizer.Web.Diagnostics;

/// <summary>
/// Logs every refused or failed API and video request once, at Information, with its status, the reason its problem
/// details gave, the client's address and the request id, and counts it in <see cref="ServerMetrics"/>. Without it an
/// operator cannot tell a busy server from a broken client: the problem details go to the client only.
/// </summary>
internal static class RefusalLogging
{
    private const string ReasonKey = "Colorizer.RefusalReason";

    /// <summary>Keeps the reason a problem response gives, for the log line written when the response is done.</summary>
    public static void NoteReason(HttpContext context, string title, string? detail) =>
        context.Items[ReasonKey] = detail is null ? title : $"{title}: {detail}";

    /// <summary>Adds the logging to requests under <c>/api</c> and <c>/video</c> (the page's own refusals are logged by its session).</summary>
    public static IApplicationBuilder UseRefusalLogging(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/video"), refused =>
            refused.Use(async (context, next) =>
            {
                bool threw = true;
                try
                {
                    await next(context);
                    threw = false;
                }
                finally
                {
                    Log(context, threw);
                }
            }));

    private static void Log(HttpContext context, bool threw)
    {
        int status = threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        // 499: the client went away; nothing was refused.
        if (status < 400 || status == StatusCodes.Status499ClientClosedRequest || context.RequestAborted.IsCancellationRequested)
            return;
        string reason = context.Items.TryGetValue(ReasonKey, out var noted) && noted is string text ? text : "(no detail)";
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Colorizer.Web.Refusals");
        logger.LogInformation("Refused {Method} {Path} with {Status} for {Client} (request {RequestId}): {Reason}",
            context.Request.Method, context.Request.Path.Value, status, context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            context.TraceIdentifier, reason);
        string surface = context.Request.Path.StartsWithSegments("/api") ? "api" : "video";
        context.RequestServices.GetRequiredService<ServerMetrics>().Refused(surface, status.ToString(CultureInfo.InvariantCulture));
    }
}
