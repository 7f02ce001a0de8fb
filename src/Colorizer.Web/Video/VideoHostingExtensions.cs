using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Colorizer.Web.Video;

/// <summary>The video jobs' registrations and endpoints.</summary>
public static class VideoHostingExtensions
{
    /// <summary>
    /// Adds <see cref="VideoJobService"/> (singleton, hosted, also as <see cref="IVideoJobs"/>) and its <c>Video</c>
    /// options, validated at start.
    /// </summary>
    public static IServiceCollection AddVideoJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VideoJobOptions>().Bind(configuration.GetSection(VideoJobOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<VideoJobService>();
        services.AddSingleton<IVideoJobs>(sp => sp.GetRequiredService<VideoJobService>());
        services.AddHostedService(sp => sp.GetRequiredService<VideoJobService>());
        return services;
    }

    /// <summary>Maps <c>GET /video/{id}/result</c> and <c>GET /video/{id}/original</c> (see <see cref="VideoEndpoints"/>).</summary>
    public static IEndpointRouteBuilder MapVideoEndpoints(this IEndpointRouteBuilder app) => VideoEndpoints.Map(app);
}
