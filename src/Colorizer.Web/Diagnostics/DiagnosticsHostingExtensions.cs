using Colorizer.Core.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Colorizer.Web.Diagnostics;

/// <summary>Registers the server's metrics and their Prometheus endpoint.</summary>
public static class DiagnosticsHostingExtensions
{
    /// <summary>
    /// Adds <see cref="ServerMetrics"/>, and OpenTelemetry's metrics pipeline with the Prometheus exporter over the
    /// engine's meter, the web app's, ASP.NET Core's request metrics and the .NET runtime's.
    /// </summary>
    public static IServiceCollection AddServerDiagnostics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Path.StartsWith('/') && o.Path.Length > 1, "Metrics:Path must start with '/' and name a path, e.g. /metrics.")
            .ValidateOnStart();
        services.AddSingleton<ServerMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ColorizerMeter.Name, ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>Serves the metrics at <c>Metrics:Path</c> when <c>Metrics:Enabled</c> is set; otherwise the path is not found.</summary>
    public static IEndpointRouteBuilder MapServerMetrics(this IEndpointRouteBuilder app)
    {
        // Made now, so the queue's gauges exist from the first scrape, not from the first request that needs them.
        app.ServiceProvider.GetRequiredService<ServerMetrics>();
        var settings = app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (settings.Enabled)
        {
            var endpoint = app.MapPrometheusScrapingEndpoint(settings.Path);
            if (settings.Port is { } port)
                endpoint.RequireHost($"*:{port}");
        }
        return app;
    }
}
