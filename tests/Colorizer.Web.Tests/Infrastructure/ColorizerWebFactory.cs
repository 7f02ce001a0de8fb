using System.Net;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colorizer.Web.Tests.Infrastructure;

/// <summary>
/// The web app over a tiny generated model that paints every pixel one known colour (the ab bin centred at
/// (20, 30), an orange), in its own temporary models folder, with downloads off and the per-client rate limit raised
/// out of the way, on OpenCV's backend. Subclasses change settings (limits, queue size, rate limit), leave the weights out, or serve over a
/// real Kestrel socket on loopback instead of the in-memory server.
/// Meant as an xunit class fixture: one app per test class.
/// </summary>
public class ColorizerWebFactory : WebApplicationFactory<Program>
{
    /// <summary>The colour the tiny model predicts everywhere.</summary>
    public static readonly (int A, int B) ModelColor = (20, 30);

    private readonly TemporaryDirectory _models = new();
    private readonly TemporaryDirectory _temp = new();
    private readonly TemporaryDirectory _galleries = new();
    private readonly TemporaryDirectory _videos = new();
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _kestrel;
    private Uri? _kestrelAddress;

    /// <summary>A ready model, default settings, in-memory server.</summary>
    public ColorizerWebFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <param name="settings">Configuration keys to set (e.g. <c>Upload:MaxFileBytes</c>).</param>
    /// <param name="withWeights">False leaves the weights out: with downloads off the model fails to load.</param>
    /// <param name="kestrel">Serve over Kestrel on a loopback port, so Kestrel's own limits are in play.</param>
    protected ColorizerWebFactory(IDictionary<string, string?> settings, bool withWeights = true, bool kestrel = false)
    {
        _settings = new Dictionary<string, string?>(settings);
        _kestrel = kestrel;
        if (withWeights)
            SyntheticModels.WriteTiny(_models.Path, TinyModel.ConstantBin(SyntheticModels.BinAt(ModelColor.A, ModelColor.B)));
        if (kestrel)
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>The app's models folder (the tiny model's files, unless the weights were left out).</summary>
    public string ModelsDirectory => _models.Path;

    /// <summary>The app's temp folder (<c>TempFiles:Directory</c>), unless the settings name another.</summary>
    public string TempDirectory => _settings.TryGetValue("TempFiles:Directory", out var folder) && folder is not null ? folder : _temp.Path;

    /// <summary>The app's model host.</summary>
    public ModelHost Models => Services.GetRequiredService<ModelHost>();

    /// <summary>The app's one work queue.</summary>
    public WorkQueue Queue => Services.GetRequiredService<WorkQueue>();

    /// <summary>A client for the app (not following redirects), over Kestrel when the factory serves that way.</summary>
    public HttpClient CreateApiClient()
    {
        if (!_kestrel)
            return CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        return new HttpClient { BaseAddress = KestrelAddress(), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A client once the model is loaded and warmed up.</summary>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateApiClient();
        await Models.GetEngineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return client;
    }

    /// <summary>Waits until the model has reached <paramref name="status"/>.</summary>
    public async Task WaitForModelAsync(ModelStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        _ = Services; // starts the host, and with it the model's loading
        while (Models.State.Status != status)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The model stayed {Models.State.Status} ({Models.State.Message}); expected {status}.");
            await Task.Delay(20);
        }
    }


    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Colorizer:ModelsDirectory", _models.Path);
        builder.UseSetting("Colorizer:DownloadWeights", "false");
        builder.UseSetting("TempFiles:Directory", _temp.Path);
        // One app per gallery and per video storage folder: each test app has its own, unless the settings name one (a restart test).
        builder.UseSetting("Gallery:StorageDirectory", _galleries.Path);
        builder.UseSetting("Video:StorageDirectory", _videos.Path);
        // Every test client is one address: the per-client rate limit stays out of the way unless a test sets its own.
        builder.UseSetting("RateLimit:PermitsPerMinute", "1000000");
        builder.UseSetting("RateLimit:Burst", "1000000");
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _models.Dispose();
            _temp.Dispose();
            _galleries.Dispose();
            _videos.Dispose();
        }
    }

    private Uri KestrelAddress()
    {
        if (_kestrelAddress is null)
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            _kestrelAddress = new Uri(addresses.First());
        }
        return _kestrelAddress;
    }
}
