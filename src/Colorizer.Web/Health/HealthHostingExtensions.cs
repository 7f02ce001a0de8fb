using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Colorizer.Web.Health;

/// <summary>The health checks' registration and their two endpoints.</summary>
public static class HealthHostingExtensions
{
    /// <summary>Adds the readiness check: the model loaded and warmed up, OpenCV's decoder limits in force.</summary>
    public static IServiceCollection AddColorizerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ModelReadyHealthCheck>("model", tags: [ModelReadyHealthCheck.Tag]);
        return services;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no checks, so a slow model download never gets the process
    /// restarted). <c>/health</c>: ready to colorize.
    /// </summary>
    public static IEndpointRouteBuilder MapColorizerHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ModelReadyHealthCheck.Tag) });
        return endpoints;
    }
}
