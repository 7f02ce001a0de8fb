using Colorizer.Core.Models;

namespace Colorizer.Web.Colorization;

/// <summary>Starts loading the model when the app starts, without holding up the server.</summary>
internal sealed class ModelStartupService(ModelHost host) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = host.StartAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
