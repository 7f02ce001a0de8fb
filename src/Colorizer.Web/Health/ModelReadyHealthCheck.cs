using Colorizer.Core.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Colorizer.Web.Health;

/// <summary>
/// Ready once the model is loaded and warmed up and OpenCV's own decoder limits passed their self-test; until then
/// <c>/health</c> answers 503 and a load balancer sends no traffic.
/// </summary>
internal sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = host.State;
        if (state.Status != ModelStatus.Ready)
            return Task.FromResult(HealthCheckResult.Unhealthy(Describe(state)));
        if (host.OpenCvLimits is { Passed: false } limits)
            return Task.FromResult(HealthCheckResult.Unhealthy($"OpenCV self-test failed: {limits.Message}"));
        return Task.FromResult(HealthCheckResult.Healthy("The model is loaded and warmed up; OpenCV's decoder limits are active."));
    }

    private static string Describe(ModelState state) => state.Status switch
    {
        ModelStatus.Failed when state.MissingWeights is { } missing =>
            $"The model failed to load: {missing.Release.FileName} is missing; the page and the log say how to install it.",
        ModelStatus.Failed => "The model failed to load; the page and the log say why.",
        ModelStatus.Downloading => $"The model weights are being downloaded ({state.DownloadFraction ?? 0:P0}).",
        _ => "The model is loading.",
    };
}
