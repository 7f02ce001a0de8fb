using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Colorizer.Core;

/// <summary>Registers the engine for a host (the web app or the CLI).</summary>
public static class ColorizerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ColorizerOptions"/> (validated at start), the weights downloader, the process-wide
    /// <see cref="ModelHost"/> and the <see cref="ModelLibrary"/> of every catalogue model. Hosts bind the options from configuration or set them in <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddColorizerCore(this IServiceCollection services, Action<ColorizerOptions>? configure = null)
    {
        var options = services.AddOptions<ColorizerOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.AddOptions<ModelDownloaderOptions>();
        // The factory's own request loggers write every failed request with its stack trace at Information; the
        // downloader logs each attempt itself (one warning per source given up on, stack traces at Debug).
        services.AddHttpClient<ModelDownloader>(client => client.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton<ModelLibrary>();
        return services;
    }
}
