using Colorizer.Core.Colorization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Colorizer.Core.Models.Catalogue;

/// <summary>
/// Every model of the <see cref="ModelCatalogue"/> for one process: the 2016 network through <see cref="ModelHost"/>
/// (loaded at start, as before), the DDColor and DeOldify files on demand. A file is downloaded only when a model is
/// asked for (never at start), once however many ask; a model is loaded once however many ask at the same time, and
/// <see cref="ColorizerOptions.ModelMemoryBudget"/> bounds how many stay loaded: the least recently used goes first,
/// never one a job is using. Reports each model's state for a picker, the API and the CLI.
/// </summary>
public sealed partial class ModelLibrary : IDisposable
{
    private readonly ColorizerOptions _options;
    private readonly ModelHost _host;
    private readonly ModelDownloader _downloader;
    private readonly ILogger<ModelLibrary> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LoadedModel> _loaded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Task<string> Task, double? Fraction)> _downloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Reason, DateTime At)> _failures = new(StringComparer.Ordinal);
    private long _useClock;
    private bool _disposed;

    /// <summary>Creates the library; nothing is downloaded or loaded until a model is asked for.</summary>
    public ModelLibrary(IOptions<ColorizerOptions> options, ModelHost host, ModelDownloader downloader, ILogger<ModelLibrary> logger)
    {
        _options = options.Value;
        _host = host;
        _downloader = downloader;
        _logger = logger;
        _host.StateChanged += _ => Changed?.Invoke(StateOf(ModelCatalogue.Eccv16));
    }

    /// <summary>The models folder in use.</summary>
    public string ModelsDirectory => _host.ModelsDirectory;

    /// <summary>Raised when a model's state changes (download progress, loaded, failed), from a background thread.</summary>
    public event Action<ModelAvailability>? Changed;

    /// <summary>Every model of the catalogue with its state, in catalogue order.</summary>
    public IReadOnlyList<ModelAvailability> List() => [.. ModelCatalogue.All.Select(StateOf)];

    /// <summary>The state of <paramref name="model"/>'s file, and whether it is loaded.</summary>
    public ModelAvailability StateOf(ColorModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string path = Path.Combine(ModelsDirectory, model.FileName);
        long? size = File.Exists(path) ? new FileInfo(path).Length : null;
        if (!model.IsOnnxFile)
        {
            var state = _host.State;
            return state.Status switch
            {
                ModelStatus.Downloading => new(model, ModelFileStatus.Downloading, DownloadFraction: state.DownloadFraction),
                ModelStatus.Failed => new(model, ModelFileStatus.Failed, size, FailureReason: state.Message),
                _ => new(model, size is null ? ModelFileStatus.NotDownloaded : ModelFileStatus.Downloaded, size, Loaded: _host.Engine is not null),
            };
        }
        lock (_lock)
        {
            if (_downloads.TryGetValue(model.Id, out var download))
                return new(model, ModelFileStatus.Downloading, DownloadFraction: download.Fraction);
            if (_failures.TryGetValue(model.Id, out var failure))
                return new(model, ModelFileStatus.Failed, size, FailureReason: failure.Reason);
            bool loaded = _loaded.TryGetValue(model.Id, out var entry) && entry.Loading.IsCompletedSuccessfully;
            return new(model, size is null ? ModelFileStatus.NotDownloaded : ModelFileStatus.Downloaded, size, Loaded: loaded);
        }
    }

    /// <summary>
    /// Downloads <paramref name="model"/>'s file if it is not there (whatever <see cref="ColorizerOptions.DownloadWeights"/>
    /// says: this is an explicit request, as <c>colorizer models --model</c>), joining a download already running.
    /// </summary>
    /// <returns>The file's path.</returns>
    /// <exception cref="ModelDownloadException">Every source failed.</exception>
    public Task<string> DownloadAsync(ColorModel model, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsOnnxFile)
            return _downloader.EnsureWeightsAsync(ModelsDirectory, WeightsRelease.Official, progress, ct);
        return StartDownload(model, progress).WaitAsync(ct);
    }

    /// <summary>
    /// For request paths that must answer at once: returns when <paramref name="model"/> can run now (its file is
    /// there; it may still need loading, which a job does); otherwise throws <see cref="ModelNotReadyException"/>
    /// saying what is happening, having started the download when <see cref="ColorizerOptions.DownloadWeights"/> allows.
    /// </summary>
    public void EnsureAvailable(ColorModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsOnnxFile)
        {
            _host.ReadyEngine();
            return;
        }
        string path = Path.Combine(ModelsDirectory, model.FileName);
        if (File.Exists(path))
            return;
        lock (_lock)
        {
            if (_downloads.TryGetValue(model.Id, out var running))
                throw new ModelNotReadyException(
                    $"The {model.Name} model is being downloaded ({(running.Fraction is double f ? f.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "size not known yet")}); try again shortly.",
                    mayRecover: true);
            if (_failures.TryGetValue(model.Id, out var failure) && DateTime.UtcNow - failure.At < ModelHost.RetryFailedLoadAfter)
                throw new ModelNotReadyException($"The {model.Name} model is not available: {failure.Reason}", mayRecover: false);
        }
        if (!_options.DownloadWeights)
            throw new ModelNotReadyException(
                $"The {model.Name} model is not downloaded and downloading is switched off ({ColorizerOptions.SectionName}:{nameof(ColorizerOptions.DownloadWeights)}). " +
                $"Download {model.FileName} from {string.Join(" or ", Sourced(model).Sources.Select(s => s.AbsoluteUri))} and save it as {path}.",
                mayRecover: false);
        _ = StartDownload(model, null);
        throw new ModelNotReadyException($"The {model.Name} model is not downloaded yet; its download has started. Try again in a few minutes.", mayRecover: true);
    }

    /// <summary>
    /// The engine of <paramref name="model"/> for one job, downloading its file first if it is missing (and
    /// <see cref="ColorizerOptions.DownloadWeights"/> allows) and loading it if it is not loaded; callers that ask
    /// at the same time share one download and one load. Dispose the lease when the job ends. <paramref name="progress"/>
    /// hears of a download this call starts.
    /// </summary>
    /// <exception cref="ModelFilesException">The file is missing and downloading is off, or it is not a model of its type.</exception>
    /// <exception cref="ModelDownloadException">The download failed.</exception>
    public async Task<ModelLease> AcquireAsync(ColorModel model, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsOnnxFile)
            return new ModelLease(await _host.GetEngineAsync(ct).ConfigureAwait(false), null);
        string path = Path.Combine(ModelsDirectory, model.FileName);
        if (!File.Exists(path))
        {
            if (!_options.DownloadWeights)
                throw new ModelFilesException(model.FileName,
                    $"The {model.Name} model file {path} is missing and downloading is switched off. " +
                    $"Download it from {string.Join(" or ", Sourced(model).Sources.Select(s => s.AbsoluteUri))}.");
            await StartDownload(model, progress).WaitAsync(ct).ConfigureAwait(false);
        }

        LoadedModel entry;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_loaded.TryGetValue(model.Id, out entry!))
            {
                entry = new LoadedModel(model, Task.Run(() => Load(model)));
                _loaded[model.Id] = entry;
            }
            entry.Leases++;
            entry.LastUsed = ++_useClock;
        }
        ColorizationEngine engine;
        try
        {
            engine = await entry.Loading.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                entry.Leases--;
                if (entry.Loading.IsFaulted && _loaded.TryGetValue(model.Id, out var current) && current == entry)
                {
                    // The next request tries again (the file may have been replaced).
                    _loaded.Remove(model.Id);
                    _failures[model.Id] = (ex is ColorizerException ? ex.Message : $"Unexpected error: {ex.Message}", DateTime.UtcNow);
                }
            }
            Changed?.Invoke(StateOf(model));
            throw;
        }
        EvictOverBudget();
        Changed?.Invoke(StateOf(model));
        return new ModelLease(engine, () => Release(entry));
    }

    // The catalogue's model with the configured mirror first among its sources.
    private ColorModel Sourced(ColorModel model)
    {
        if (string.IsNullOrEmpty(_options.ModelMirror) || !model.IsOnnxFile)
            return model;
        string folder = _options.ModelMirror.EndsWith('/') ? _options.ModelMirror : _options.ModelMirror + "/";
        return model with { Sources = [new Uri(new Uri(folder), model.FileName), .. model.Sources] };
    }

    private ColorizationEngine Load(ColorModel model)
    {
        lock (_lock)
            _failures.Remove(model.Id);
        return ColorizationEngine.LoadOnnxModel(model, ModelsDirectory, _logger, _options.Threads);
    }

    private Task<string> StartDownload(ColorModel model, IProgress<DownloadProgress>? progress)
    {
        lock (_lock)
        {
            if (_downloads.TryGetValue(model.Id, out var running))
                return running.Task;
            _failures.Remove(model.Id);
            var report = new Progress<DownloadProgress>(p =>
            {
                progress?.Report(p);
                lock (_lock)
                {
                    if (_downloads.TryGetValue(model.Id, out var current))
                        _downloads[model.Id] = current with { Fraction = p.TotalBytes > 0 ? p.Fraction : null };
                }
                Changed?.Invoke(StateOf(model));
            });
            var task = Task.Run(() => RunDownloadAsync(model, report));
            _downloads[model.Id] = (task, 0);
            return task;
        }
    }

    private async Task<string> RunDownloadAsync(ColorModel model, IProgress<DownloadProgress> progress)
    {
        // Not tied to one request: a browser that goes away does not stop a download others will want.
        try
        {
            string path = await _downloader.EnsureModelAsync(ModelsDirectory, Sourced(model), progress, CancellationToken.None).ConfigureAwait(false);
            lock (_lock)
                _downloads.Remove(model.Id);
            Changed?.Invoke(StateOf(model));
            return path;
        }
        catch (Exception ex)
        {
            LogDownloadFailed(_logger, model.Id, ex.Message);
            lock (_lock)
            {
                _downloads.Remove(model.Id);
                _failures[model.Id] = (ex is ColorizerException ? ex.Message : $"Unexpected error: {ex.Message}", DateTime.UtcNow);
            }
            Changed?.Invoke(StateOf(model));
            throw;
        }
    }

    private void Release(LoadedModel entry)
    {
        bool dispose;
        lock (_lock)
        {
            entry.Leases--;
            entry.LastUsed = ++_useClock;
            dispose = entry.Evicted && entry.Leases == 0;
        }
        if (dispose)
            entry.Loading.Result.Dispose();
        EvictOverBudget();
    }

    // Least recently used first, until the loaded files fit the budget; a model in use stays (it goes once released).
    private void EvictOverBudget()
    {
        long budget = (long)_options.ModelMemoryBudget * 1024 * 1024;
        var evicted = new List<LoadedModel>();
        lock (_lock)
        {
            var ready = _loaded.Values.Where(e => e.Loading.IsCompletedSuccessfully).ToList();
            long total = ready.Sum(e => e.Bytes);
            foreach (var entry in ready.Where(e => e.Leases == 0).OrderBy(e => e.LastUsed))
            {
                if (total <= budget || ready.Count - evicted.Count <= 1)
                    break;
                _loaded.Remove(entry.Model.Id);
                entry.Evicted = true;
                total -= entry.Bytes;
                evicted.Add(entry);
            }
        }
        foreach (var entry in evicted)
        {
            LogEvicted(_logger, entry.Model.Id, budget / (1024 * 1024));
            entry.Loading.Result.Dispose();
            Changed?.Invoke(StateOf(entry.Model));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        List<LoadedModel> loaded;
        lock (_lock)
        {
            _disposed = true;
            loaded = [.. _loaded.Values];
            _loaded.Clear();
        }
        foreach (var entry in loaded.Where(e => e.Loading.IsCompletedSuccessfully))
            entry.Loading.Result.Dispose();
    }

    private sealed class LoadedModel(ColorModel model, Task<ColorizationEngine> loading)
    {
        public ColorModel Model { get; } = model;

        public Task<ColorizationEngine> Loading { get; } = loading;

        // The file's size stands for the memory the session takes (more in practice; not measured for the real files).
        public long Bytes => Loading.IsCompletedSuccessfully ? _bytes ??= SizeOf() : 0;

        private long? _bytes;

        public int Leases { get; set; }

        public long LastUsed { get; set; }

        public bool Evicted { get; set; }

        private long SizeOf()
        {
            string path = Path.Combine(Loading.Result.ModelsDirectory, Model.FileName);
            return File.Exists(path) ? new FileInfo(path).Length : 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Model} model could not be downloaded: {Reason}")]
    private static partial void LogDownloadFailed(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded the {Model} model, the least recently used, to keep within Colorizer:ModelMemoryBudget ({Budget} MB)")]
    private static partial void LogEvicted(ILogger logger, string model, long budget);
}
