using Colorizer.Core;
using Colorizer.Core.Colorization;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Colorization;

/// <summary>The colorization feature's registrations: the engine, its start-up, the shared queue, sessions and galleries.</summary>
public static class ColorizationHostingExtensions
{
    /// <summary>
    /// Adds the engine (bound to the <c>Colorizer</c> section), the model's start-up in the background and the watch
    /// for weights copied in after a failed load (<c>ModelWatch</c>), the work queue
    /// shared by the page and the API (<c>Queue</c>), the upload limits (<c>Upload</c>), the scoped session per circuit
    /// and the galleries that outlive a page (<c>Gallery</c>), every section validated at start.
    /// </summary>
    public static IServiceCollection AddColorization(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddColorizerCore();
        var colorizer = configuration.GetSection(ColorizerOptions.SectionName);
        services.AddOptions<ColorizerOptions>()
            .Configure(_ => CheckBackendSetting(colorizer))
            .Bind(colorizer);
        services.AddOptions<UploadOptions>().Bind(configuration.GetSection(UploadOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddOptions<WorkQueueOptions>().Bind(configuration.GetSection(WorkQueueOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var queue = sp.GetRequiredService<IOptions<WorkQueueOptions>>().Value;
            return new WorkQueue(queue.Concurrency, queue.Capacity);
        });
        // Admission by memory: the bytes of uploads and colorizations in flight (Admission), and memory given back
        // to the system once they are gone.
        services.AddOptions<AdmissionOptions>().Bind(configuration.GetSection(AdmissionOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new MemoryBudget(sp.GetRequiredService<IOptions<AdmissionOptions>>().Value.MemoryBudget));
        services.AddSingleton<IdleMemoryReturn>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleMemoryReturn>());
        services.AddSingleton<ColorizationService>();

        // Loads (and if needed downloads) the model in the background, so the page is up at once and shows progress.
        services.AddHostedService<ModelStartupService>();
        // Weights copied into the models folder after a failed load are noticed and loaded, without a restart.
        services.AddOptions<ModelWatchOptions>().Bind(configuration.GetSection(ModelWatchOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<ModelFilesWatcher>();
        services.AddScoped<ColorizationSession>();
        // Galleries outlive their page: in memory for Gallery:KeepAfterDisconnect, on disk (Gallery:StorageDirectory)
        // for Gallery:KeepOnDiskFor and across restarts, so a reload keeps results, settings and hints.
        services.AddOptions<GalleryOptions>().Bind(configuration.GetSection(GalleryOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Storage.GalleryStorage>();
        services.AddSingleton<GalleryStore>();
        services.AddHostedService<GallerySweeper>();
        return services;
    }

    /// <summary>
    /// <c>Colorizer:Backend</c> must be a backend's name. Checked before the binder reads it: the binder would fail on
    /// a wrong name with an error that does not say what is allowed, and would take a number or a list of names.
    /// </summary>
    private static void CheckBackendSetting(IConfigurationSection colorizer)
    {
        var setting = colorizer.GetSection(nameof(ColorizerOptions.Backend));
        if (setting.Value is { } value && !InferenceBackendNames.TryParse(value, out _))
            throw new OptionsValidationException(Options.DefaultName, typeof(ColorizerOptions),
                [$"{setting.Path} is '{value}', which is not a backend: use {InferenceBackendNames.Choices}."]);
        // The same for the precision: only its two names, not a number the enum binder would take.
        var precision = colorizer.GetSection(nameof(ColorizerOptions.Precision));
        if (precision.Value is { } text && !InferencePrecisionNames.TryParse(text, out _))
            throw new OptionsValidationException(Options.DefaultName, typeof(ColorizerOptions),
                [$"{precision.Path} is '{text}', which is not a precision: use {InferencePrecisionNames.Choices}."]);
    }
}
