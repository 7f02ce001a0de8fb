using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace Colorizer.Core.Models;

/// <summary>Where the model is in its life.</summary>
public enum ModelStatus
{
    /// <summary>Nothing done yet.</summary>
    NotStarted,

    /// <summary>The weights are being downloaded; see <see cref="ModelState.DownloadFraction"/>.</summary>
    Downloading,

    /// <summary>The network is being loaded and warmed up.</summary>
    Loading,

    /// <summary>The engine is ready.</summary>
    Ready,

    /// <summary>Loading failed; <see cref="ModelState.Message"/> says why and what to do.</summary>
    Failed,
}

/// <summary>A snapshot of the model's state, for a UI or a health check.</summary>
/// <param name="Status">The stage.</param>
/// <param name="DownloadFraction">0–1 while downloading.</param>
/// <param name="Message">What is happening, or what went wrong and what to do.</param>
public sealed record ModelState(ModelStatus Status, double? DownloadFraction = null, string? Message = null);

/// <summary>
/// The process's one <see cref="ColorizationEngine"/>: finds the models folder, downloads missing weights if allowed,
/// loads and warms up the network once, and reports its state. Shared by the web app and the CLI.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly ColorizerOptions _options;
    private readonly ModelDownloader _downloader;
    private readonly ILogger<ModelHost> _logger;
    private readonly Lock _lock = new();
    private Task<ColorizationEngine>? _loading;
    private ModelState _state = new(ModelStatus.NotStarted);
    private DateTime _failedAt;

    /// <summary>How long a failed load stays failed before a request starts another attempt.</summary>
    public static readonly TimeSpan RetryFailedLoadAfter = TimeSpan.FromMinutes(1);

    /// <summary>Creates the host; nothing is loaded until <see cref="GetEngineAsync"/> or <see cref="StartAsync"/>.</summary>
    public ModelHost(IOptions<ColorizerOptions> options, ModelDownloader downloader, ILogger<ModelHost> logger)
    {
        _options = options.Value;
        _downloader = downloader;
        _logger = logger;
        ModelsDirectory = ModelLocator.Resolve(_options.ModelsDirectory);
        if (_options.Threads > 0)
            Cv2.SetNumThreads(_options.Threads);
    }

    /// <summary>The models folder in use.</summary>
    public string ModelsDirectory { get; }

    /// <summary>The limits every decode in this process uses.</summary>
    public DecodeLimits Limits => new() { MaxPixels = _options.MaxPixels, MaxSide = _options.MaxSide };

    /// <summary>The current state.</summary>
    public ModelState State
    {
        get { lock (_lock) return _state; }
    }

    /// <summary>Raised on every state change (from a background thread).</summary>
    public event Action<ModelState>? StateChanged;

    /// <summary>Download progress, also reported through <see cref="StateChanged"/>.</summary>
    public IProgress<DownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Whether OpenCV's own decoder limits are active; checked once, when the model loads.</summary>
    public OpenCvLimitsReport? OpenCvLimits { get; private set; }

    /// <summary>The engine when it is ready, otherwise null.</summary>
    public ColorizationEngine? Engine => _loading is { IsCompletedSuccessfully: true } loading ? loading.Result : null;

    /// <summary>
    /// The engine if it is ready; otherwise throws <see cref="ModelNotReadyException"/> saying what the model is doing
    /// (downloading, loading) or why it failed. For request paths that must answer at once instead of waiting.
    /// </summary>
    public ColorizationEngine ReadyEngine()
    {
        if (Engine is { } engine)
            return engine;
        var state = State;
        // A failed load is tried again (in the background) once a minute at most, when someone asks: the weights may
        // have been put in place, or the network may be back.
        if (state.Status == ModelStatus.Failed && DateTime.UtcNow - _failedAt > RetryFailedLoadAfter)
            _ = StartAsync();
        return state.Status switch
        {
            ModelStatus.Failed => throw new ModelNotReadyException($"The colorization model is not available: {state.Message}", mayRecover: false),
            ModelStatus.Downloading => throw new ModelNotReadyException(
                $"The colorization model is being downloaded ({state.DownloadFraction ?? 0:P0}); try again shortly.", mayRecover: true),
            _ => throw new ModelNotReadyException("The colorization model is loading; try again in a few seconds.", mayRecover: true),
        };
    }

    /// <summary>Starts loading in the background (idempotent).</summary>
    public Task StartAsync() => EnsureStarted();

    /// <summary>The engine, loading it first if needed. A failed load is retried on the next call.</summary>
    public Task<ColorizationEngine> GetEngineAsync(CancellationToken ct = default) => EnsureStarted().WaitAsync(ct);

    private Task<ColorizationEngine> EnsureStarted()
    {
        lock (_lock)
        {
            if (_loading is null || _loading.IsFaulted || _loading.IsCanceled)
                _loading = Task.Run(LoadAsync);
            return _loading;
        }
    }

    private async Task<ColorizationEngine> LoadAsync()
    {
        try
        {
            string weights = Path.Combine(ModelsDirectory, ModelFileNames.Weights);
            if (!File.Exists(weights))
            {
                if (!_options.DownloadWeights)
                    throw new ModelFilesException(ModelFileNames.Weights,
                        $"The model weights are missing and downloading is switched off. {WeightsRelease.Official.DescribeManualDownload(weights)}");
                Publish(new ModelState(ModelStatus.Downloading, 0, $"Downloading {ModelFileNames.Weights}"));
                var progress = new Progress<DownloadProgress>(p =>
                {
                    DownloadProgress?.Report(p);
                    Publish(new ModelState(ModelStatus.Downloading, p.Fraction, $"Downloading {ModelFileNames.Weights} from {p.Source.Host}"));
                });
                await _downloader.EnsureWeightsAsync(ModelsDirectory, WeightsRelease.Official, progress, CancellationToken.None).ConfigureAwait(false);
            }
            Publish(new ModelState(ModelStatus.Loading, Message: "Loading the network"));
            // JIT-compile the pre- and post-processing on the other core while the network loads.
            var priming = Task.Run(ColorizationEngine.PrimeCodePaths);
            foreach (var note in Imaging.OpenCvLimits.StartupNotes)
                _logger.Log(note.Level, "OpenCV decoder limits: {Note}", note.Message);
            OpenCvLimits = Imaging.OpenCvLimits.Verify();
            _logger.Log(OpenCvLimits.Passed ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning, "OpenCV self-test: {Result}", OpenCvLimits.Message);
            var engine = ColorizationEngine.Load(ModelsDirectory, _logger);
            if (_options.WarmUp)
                engine.WarmUp();
            await priming.ConfigureAwait(false);
            Publish(new ModelState(ModelStatus.Ready, Message: "Ready"));
            return engine;
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The colorization model could not be loaded from {Directory}", ModelsDirectory);
            _failedAt = DateTime.UtcNow;
            Publish(new ModelState(ModelStatus.Failed, Message: ex is ColorizerException ? ex.Message : $"Unexpected error: {ex.Message}"));
            throw;
        }
    }

    private void Publish(ModelState state)
    {
        lock (_lock)
            _state = state;
        StateChanged?.Invoke(state);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Engine?.Dispose();
    }
}
