using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Colorizer.Core;
using Colorizer.Testing;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Colorizer.Web.Tests.Components;

/// <summary>
/// One bUnit context per test with MudBlazor's services, loose JS interop (MudBlazor calls plenty of its own JS) and a
/// popover provider for selects. MudBlazor's services are async-disposable only, so the context is disposed through
/// <see cref="IAsyncLifetime"/>. Numbers are formatted with the invariant culture, whatever the machine's.
/// </summary>
public abstract class ComponentTestBase : IAsyncLifetime
{
    protected ComponentTestBase()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        Context.Services.AddMudServices();
        // The model pickers list the catalogue from a models folder of the test's own (empty unless a test writes to it).
        Context.Services.AddLogging();
        Context.Services.AddColorizerCore(o =>
        {
            o.ModelsDirectory = ModelsFolder.Path;
            o.DownloadWeights = false;
        });
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Popovers = Context.Render<MudPopoverProvider>();
    }

    /// <summary>The models folder the pickers look at.</summary>
    protected TemporaryDirectory ModelsFolder { get; } = new();

    /// <summary>The test's bUnit context.</summary>
    protected BunitContext Context { get; } = new();

    /// <summary>Where open popovers (a select's options) are rendered.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; }

    /// <summary>Opens the MudSelect inside <paramref name="container"/> and returns its options as the user sees them.</summary>
    protected IReadOnlyList<IElement> OpenSelect<T>(IRenderedComponent<T> container)
        where T : IComponent
    {
        container.Find(".mud-select .mud-input-control").MouseDown();
        return Popovers.FindAll("[role=option]");
    }

    /// <summary>The button whose visible text is <paramref name="text"/>.</summary>
    protected static IElement ButtonWithText<T>(IRenderedComponent<T> component, string text)
        where T : IComponent =>
        component.FindAll("button").Single(b => b.TextContent.Trim() == text);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        ModelsFolder.Dispose();
    }
}
