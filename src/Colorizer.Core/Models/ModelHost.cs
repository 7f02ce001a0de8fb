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
/// <param name="MissingWeights">
/// When the load failed because the weights file is not there: what to fetch, from where and where to save it, for a
/// UI to lay out; otherwise null.
/// </param>
public sealed record ModelState(ModelStatus Status, double? DownloadFraction = null, string? Message = null, MissingWeights? MissingWeights = null);

/// <summary>
/// The process's one <see cref="ColorizationEngine"/>: finds the models folder, downloads missing weights if allowed,
/// loads and warms up the network once, and reports its state. Shared by the web app and the CLI.
/// </summary>
public sealed partial class ModelHost : IDisposable
{
    private readonly ColorizerOptions _options;
    private readonly ModelDownloader _downloader;
    private readonly ILogger<ModelHost> _logger;
    private readonly Lock _lock = new();
    private int _limitsNotesLogged;
    private Task<ColorizationEngine>? _loading;
    private ModelState _state = new(ModelStatus.NotStarted);
    private DateTime _failedAt;

    // Set, under the lock, the moment an attempt fails and before the failure is announced: whoever reacts to the
    // news with a retry starts a fresh attempt instead of joining the one that is ending.
    private bool _attemptFailed;

    // The model files as the latest attempt saw them: a failed attempt is worth repeating once they differ.
    private ModelFilesStamp _attemptedFiles;

    /// <summary>How long a failed load stays failed before a request starts another attempt.</summary>
    public static readonly TimeSpan RetryFailedLoadAfter = TimeSpan.FromMinutes(1);

    /// <summary>Creates the host; nothing is loaded until <see cref="GetEngineAsync"/> or <see cref="StartAsync"/>.</summary>
    public ModelHost(IOptions<ColorizerOptions> options, ModelDownloader downloader, ILogger<ModelHost> logger)
    {
        _options = options.Value;
        _downloader = downloader;
        _logger = logger;
        ModelsDirectory = ModelLocator.Resolve(_options.ModelsDirectory);
        // OpenCV's thread count holds for the whole process: its image processing too, on either backend. The backend
        // gets the count as well (OpenCV's sets the same again; ONNX Runtime's session takes it as its own).
        if (_options.Threads > 0)
            Cv2.SetNumThreads(_options.Threads);
    }

    /// <summary>The models folder in use.</summary>
    public string ModelsDirectory { get; }

    /// <summary>The limits every decode in this process uses.</summary>
    public DecodeLimits Limits => new() { MaxPixels = _options.MaxPixels, MaxSide = _options.MaxSide, Structure = _options.Structure };

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

    /// <summary>
    /// Tries again now after a failed load: downloads the weights if they are missing (and downloading is on), then
    /// loads. One attempt at a time: while one runs, this joins it; once the engine is ready, it does nothing.
    /// </summary>
    /// <returns>Completes when the attempt has ended; never throws (a failure is in <see cref="State"/>).</returns>
    public Task RetryAsync() => EnsureStarted().ContinueWith(
        static attempt => _ = attempt.Exception, // observed here: the failure is reported through State and the log
        CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// For a host that watches the models folder: after a failed load, tries again once the model files differ from
    /// what that attempt saw (the weights appeared or were replaced) and have stayed the same for
    /// <paramref name="settle"/>, so a file still being copied is left alone until the copy is over. A file that
    /// still fails (copied only in part after all) is tried again on its next change.
    /// </summary>
    /// <param name="settle">How long the files must stay unchanged before they are loaded.</param>
    /// <param name="cancellationToken">Stops the wait for the files to settle.</param>
    /// <returns>True when an attempt was made (see <see cref="State"/> for its outcome), false when there was nothing new to try.</returns>
    public async Task<bool> RetryIfFilesChangedAsync(TimeSpan settle, CancellationToken cancellationToken = default)
    {
        if (!FilesChangedSinceFailure(out var seen))
            return false;
        if (settle > TimeSpan.Zero)
        {
            await Task.Delay(settle, cancellationToken).ConfigureAwait(false);
            // Still being written: the next change (or the next check) looks again.
            if (ModelFilesStamp.Of(ModelsDirectory) != seen || !FilesChangedSinceFailure(out _))
                return false;
        }
        LogFilesChanged(_logger, ModelsDirectory);
        await RetryAsync().ConfigureAwait(false);
        return true;
    }

    private bool FilesChangedSinceFailure(out ModelFilesStamp seen)
    {
        seen = ModelFilesStamp.Of(ModelsDirectory);
        lock (_lock)
            return _state.Status == ModelStatus.Failed && seen.Weights is not null && seen != _attemptedFiles;
    }

    private Task<ColorizationEngine> EnsureStarted()
    {
        lock (_lock)
        {
            if (_loading is null || _attemptFailed)
            {
                _attemptFailed = false;
                _attemptedFiles = ModelFilesStamp.Of(ModelsDirectory);
                _loading = Task.Run(LoadAsync);
            }
            return _loading;
        }
    }

    private async Task<ColorizationEngine> LoadAsync()
    {
        // What Main did to OpenCV's limits, once per host and before any download, so a tightened value is in the log
        // even when the model never loads.
        if (Interlocked.Exchange(ref _limitsNotesLogged, 1) == 0)
        {
            foreach (var note in Imaging.OpenCvLimits.StartupNotes)
                _logger.Log(note.Level, "OpenCV decoder limits: {Note}", note.Message);
            if (Native.NativeHeap.ArenaCapNote is { } arenas)
                _logger.LogInformation("Native heap: {Note}", arenas);
        }
        try
        {
            string weights = Path.Combine(ModelsDirectory, ModelFileNames.Weights);
            if (!File.Exists(weights))
            {
                if (!_options.DownloadWeights)
                    throw new ModelFilesException(ModelFileNames.Weights,
                        $"The model weights are missing and downloading is switched off. {WeightsRelease.Official.DescribeManualDownload(weights)}")
                    {
                        MissingWeights = WeightsRelease.Official.MissingAt(weights, MissingWeightsCause.DownloadSwitchedOff),
                    };
                Publish(new ModelState(ModelStatus.Downloading, 0, $"Downloading {ModelFileNames.Weights}"));
                var progress = new Progress<DownloadProgress>(p =>
                {
                    DownloadProgress?.Report(p);
                    Publish(new ModelState(ModelStatus.Downloading, p.Fraction, $"Downloading {ModelFileNames.Weights} from {p.Source.Host}"));
                });
                await _downloader.EnsureWeightsAsync(ModelsDirectory, WeightsRelease.Official, progress, CancellationToken.None).ConfigureAwait(false);
            }
            lock (_lock)
                _attemptedFiles = ModelFilesStamp.Of(ModelsDirectory); // now with the weights just downloaded
            Publish(new ModelState(ModelStatus.Loading, Message: "Loading the network"));
            // JIT-compile the pre- and post-processing on the other core while the network loads.
            var priming = Task.Run(ColorizationEngine.PrimeCodePaths);
            OpenCvLimits = Imaging.OpenCvLimits.Verify();
            _logger.Log(OpenCvLimits.Passed ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning, "OpenCV self-test: {Result}", OpenCvLimits.Message);
            var engine = ColorizationEngine.Load(ModelsDirectory, _logger, _options.Backend, _options.Threads, _options.Precision);
            if (_options.WarmUp)
                engine.WarmUp();
            await priming.ConfigureAwait(false);
            Publish(new ModelState(ModelStatus.Ready, Message: "Ready"));
            return engine;
        }
        catch (Exception ex)
        {
            var missing = ex switch
            {
                ModelDownloadException download => download.MissingWeights,
                ModelFilesException files => files.MissingWeights,
                _ => null,
            };
            LogFailure(ex, missing);
            var failed = new ModelState(ModelStatus.Failed, Message: ex is ColorizerException ? ex.Message : $"Unexpected error: {ex.Message}",
                MissingWeights: missing);
            lock (_lock)
            {
                _attemptFailed = true;
                _failedAt = DateTime.UtcNow;
                _state = failed;
            }
            StateChanged?.Invoke(failed);
            throw;
        }
    }

    /// <summary>
    /// One line for an expected failure (missing or unusable files): what is wrong and, for missing weights, a
    /// command that installs them. The stack trace goes to Debug; only an unexpected error gets it at Error.
    /// </summary>
    private void LogFailure(Exception ex, MissingWeights? missing)
    {
        if (ex is not ColorizerException)
        {
            LogUnexpectedFailure(_logger, ModelsDirectory, ex);
            return;
        }
        if (missing is not null)
        {
            string why = missing.Cause switch
            {
                MissingWeightsCause.DownloadFailed when missing.Failures.Count > 0 => "could not be downloaded (every source failed, see above)",
                MissingWeightsCause.DownloadFailed => "could not be downloaded: " + ex.Message,
                MissingWeightsCause.DownloadSwitchedOff => "are missing and downloading is switched off",
                _ => "are missing",
            };
            LogWeightsMissing(_logger, missing.Release.FileName, why, missing.TargetPath, missing.ShellCommand);
        }
        else
        {
            LogLoadFailed(_logger, ModelsDirectory, ex.Message);
        }
        LogFailureDetail(_logger, ex);
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

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error,
        Message = "The model weights {FileName} {Why}. To install them by hand, save the file as {Path}, e.g. with: {Command}")]
    private static partial void LogWeightsMissing(ILogger logger, string fileName, string why, string path, string command);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "The colorization model could not be loaded from {Directory}: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "The colorization model could not be loaded from {Directory}")]
    private static partial void LogUnexpectedFailure(ILogger logger, string directory, Exception exception);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Details of the model's failure to load")]
    private static partial void LogFailureDetail(ILogger logger, Exception exception);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "The model files in {Directory} changed; loading them")]
    private static partial void LogFilesChanged(ILogger logger, string directory);
}
