using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Web.Api;
using Colorizer.Web.Colorization;
using Colorizer.Web.Health;
using Colorizer.Web.Hosting;
using MudBlazor.Services;

namespace Colorizer.Web;

/// <summary>The web host's registrations, in one place.</summary>
public static class Extensions
{
    /// <summary>Adds Blazor, MudBlazor, the engine (bound to the <c>Colorizer</c> section), model start-up, health checks and the REST API.</summary>
    public static WebApplicationBuilder AddColorizerWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        services.AddColorizerCore();
        services.AddOptions<ColorizerOptions>().Bind(builder.Configuration.GetSection(ColorizerOptions.SectionName));
        services.AddOptions<UploadOptions>().Bind(builder.Configuration.GetSection(UploadOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<WorkQueueOptions>().Bind(builder.Configuration.GetSection(WorkQueueOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var queue = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkQueueOptions>>().Value;
            return new WorkQueue(queue.Concurrency, queue.Capacity);
        });
        services.AddSingleton<ColorizationService>();

        // Loads (and if needed downloads) the model in the background, so the page is up at once and shows progress.
        services.AddHostedService<ModelStartupService>();
        // Weights copied into the models folder after a failed load are noticed and loaded, without a restart.
        services.AddOptions<ModelWatchOptions>().Bind(builder.Configuration.GetSection(ModelWatchOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<ModelFilesWatcher>();
        services.AddScoped<ColorizationSession>();
        // Galleries outlive their page for Gallery:KeepAfterDisconnect, so a reload keeps results and hints.
        services.AddOptions<GalleryOptions>().Bind(builder.Configuration.GetSection(GalleryOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GalleryStore>();
        services.AddHostedService<GallerySweeper>();
        // The app's own temp files in one folder: crash leftovers deleted at start, open ones at a graceful stop.
        services.AddAppTempFiles(builder.Configuration);

        services.AddHealthChecks().AddCheck<ModelReadyHealthCheck>("model", tags: [ModelReadyHealthCheck.Tag]);
        // Video jobs: colorized in the background, one at a time, kept for Video:RetainFinishedFor.
        services.AddVideoJobs(builder.Configuration);

        // The REST API: problem details, OpenAPI, and Kestrel's and the multipart reader's limits from Upload:MaxFileBytes.
        services.AddColorizeApi();
        services.AddApiRateLimiting(builder.Configuration);
        return builder;
    }
}
