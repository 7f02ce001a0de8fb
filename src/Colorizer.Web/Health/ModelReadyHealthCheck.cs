using Colorizer.Core.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Colorizer.Web.Health;

/// <summary>Healthy once the model is loaded and warmed up; until then <c>/health</c> answers 503.</summary>
internal sealed class ModelReadyHealthCheck(ModelHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = host.State;
        return Task.FromResult(state.Status == ModelStatus.Ready
            ? HealthCheckResult.Healthy("The model is loaded and warmed up.")
            : HealthCheckResult.Unhealthy($"The model is {state.Status}: {state.Message}"));
    }
}
