using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Colorizer.Web.Hosting;

/// <summary>Registrations for the app's temp files and their clean-up.</summary>
public static class HostingExtensions
{
    /// <summary>Adds <see cref="AppTempFiles"/> (bound to the <c>TempFiles</c> section) and its janitor.</summary>
    public static IServiceCollection AddAppTempFiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TempFilesOptions>().Bind(configuration.GetSection(TempFilesOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AppTempFiles>();
        services.AddHostedService<TempFilesJanitor>();
        return services;
    }
}
