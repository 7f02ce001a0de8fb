using Colorizer.Web.Api;
using Colorizer.Web.Colorization;
using Colorizer.Web.Diagnostics;
using Colorizer.Web.Health;
using Colorizer.Web.Hosting;
using Colorizer.Web.Video;
using MudBlazor.Services;

namespace Colorizer.Web;

/// <summary>The web host's registrations: one call per feature folder.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds Blazor and MudBlazor, then each feature: colorization (engine, model start-up, queue, sessions, galleries),
    /// the app's temp files, health checks, video jobs, and the REST API.
    /// </summary>
    public static WebApplicationBuilder AddColorizerWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        services.AddColorization(configuration);
        // The app's own temp files in one folder: crash leftovers deleted at start, open ones at a graceful stop.
        services.AddAppTempFiles(configuration);
        services.AddColorizerHealthChecks();
        // Video jobs: colorized in the background, one at a time, kept for Video:RetainFinishedFor.
        services.AddVideoJobs(configuration);
        // The REST API: problem details, OpenAPI, Kestrel's and the multipart reader's limits, the per-client rate limit.
        services.AddColorizeApi(configuration);
        // Metrics for operators (Prometheus at Metrics:Path when Metrics:Enabled) and the count of refusals.
        services.AddServerDiagnostics(configuration);
        return builder;
    }
}
