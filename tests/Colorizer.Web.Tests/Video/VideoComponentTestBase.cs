using System.Globalization;
using Bunit;
using Colorizer.Web.Video;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Colorizer.Web.Tests.Video;

/// <summary>
/// Like <see cref="Components.ComponentTestBase"/> (MudBlazor, loose JS interop, invariant culture, async disposal),
/// with the video components' services registered before anything renders: <see cref="Jobs"/> as
/// <see cref="IVideoJobs"/>, and whatever <c>configure</c> adds.
/// </summary>
public abstract class VideoComponentTestBase : IAsyncLifetime
{
    protected VideoComponentTestBase(Action<IServiceCollection>? configure = null)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        Context.Services.AddMudServices();
        Context.Services.AddSingleton<IVideoJobs>(Jobs);
        configure?.Invoke(Context.Services);
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Popovers = Context.Render<MudPopoverProvider>();
    }

    /// <summary>Where open popovers (a select's options) are rendered.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; }

    protected BunitContext Context { get; } = new();

    /// <summary>The jobs the components see.</summary>
    protected FakeVideoJobs Jobs { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await Context.DisposeAsync();
}
