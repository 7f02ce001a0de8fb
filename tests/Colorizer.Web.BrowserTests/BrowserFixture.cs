using System.Net;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Colorizer.Web.BrowserTests;

/// <summary>
/// The web app on a real loopback port with a tiny generated model (bright areas orange, dark areas blue), and
/// Debian's Chromium driven by Playwright.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    // Playwright's own browser download is not possible here: Debian's Chromium is used, with flags that keep it off
    // the network.
    private static readonly string[] ChromiumFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly TemporaryDirectory _models = new();
    private readonly TemporaryDirectory _galleries = new();
    private readonly TemporaryDirectory _videos = new();
    private AppFactory? _app;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public string BaseAddress { get; private set; } = "";

    public IServiceProvider Services => _app!.Services;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPage, List<string>> _consoleErrors = new();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPage, List<string>> _failedRequests = new();

    /// <summary>The requests of the page that failed (status and address).</summary>
    public IReadOnlyList<string> FailedRequests(IPage page)
    {
        var failed = _failedRequests[page];
        lock (failed)
            return [.. failed];
    }

    /// <summary>The errors the page's console showed so far (a Content-Security-Policy violation would be one).</summary>
    public IReadOnlyList<string> ConsoleErrors(IPage page)
    {
        var errors = _consoleErrors[page];
        lock (errors)
            return [.. errors];
    }

    public async Task InitializeAsync()
    {
        SyntheticModels.WriteTiny(_models.Path, TinyModel.LightnessDependent(SyntheticModels.BinAt(20, 40), SyntheticModels.BinAt(-10, -40), slope: 0.08f));
        // A generated DDColor-type file (not the real network) that paints (a, b) = (30, −20): the model pickers and the
        // two-model comparison have a second model to offer.
        TinyOnnxModels.WriteTo(_models.Path, Colorizer.Core.Models.Catalogue.ModelCatalogue.Get("ddcolor"), TinyOnnxModels.ConstantAb(30, -20));

        _app = new AppFactory(_models.Path, _galleries.Path, _videos.Path, _serverErrors);
        _app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app.StartServer();
        var server = _app.Services.GetRequiredService<IServer>();
        BaseAddress = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await _app.Services.GetRequiredService<ModelHost>().GetEngineAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumFlags,
        });
    }

    /// <summary>
    /// Where the browser tests put their screenshots: <c>artifacts/screenshots</c> (ignored by git), so a test run never
    /// changes tracked files. <c>scripts/update-screenshots.sh</c> copies them into docs/screenshots on purpose.
    /// </summary>
    public static string ScreenshotFolder() => RepositoryPaths.Artifacts("screenshots");

    /// <summary>A fresh page at the app, once its circuit is up.</summary>
    public async Task<IPage> OpenAsync(int width = 1280, int height = 900, ColorScheme scheme = ColorScheme.Light, bool touch = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
            ColorScheme = scheme,
            // A phone: a touch screen (coarse pointer, no hover) and a mobile viewport.
            HasTouch = touch,
            IsMobile = touch,
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        _consoleErrors[page] = errors;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                    errors.Add(message.Text);
            }
        };
        var failed = new List<string>();
        _failedRequests[page] = failed;
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (failed)
                    failed.Add($"{response.Status} {response.Url}");
            }
        };
        await page.GotoAsync(BaseAddress);
        await page.WaitForSelectorAsync("body[data-circuit=ready]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
            await _app.DisposeAsync();
        _models.Dispose();
        _galleries.Dispose();
        _videos.Dispose();
    }

    /// <summary>What the server logged at Error or above so far (an unhandled circuit exception would be one).</summary>
    public IReadOnlyList<string> ServerErrors => _serverErrors.Snapshot();

    private readonly ErrorLog _serverErrors = new();

    private sealed class AppFactory(string models, string galleries, string videos, ErrorLog errors) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Colorizer:ModelsDirectory", models);
            builder.UseSetting("Gallery:StorageDirectory", galleries);
            builder.UseSetting("Video:StorageDirectory", videos);
            builder.UseSetting("Colorizer:DownloadWeights", "false");
            // A small shared line, so a drop of twenty photos is more than it holds: the tab's own line must keep them.
            builder.UseSetting("Queue:Capacity", "4");
            builder.ConfigureLogging(logging => logging.AddProvider(errors));
        }
    }

    /// <summary>Keeps the server's Error and Critical log lines.</summary>
    private sealed class ErrorLog : ILoggerProvider
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Snapshot()
        {
            lock (_lines)
                return [.. _lines];
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                    return;
                lock (log._lines)
                    log._lines.Add($"{category}: {formatter(state, exception)} {exception?.GetType().Name}");
            }
        }
    }
}
