using System.Threading.Channels;
using Colorizer.Core.Models;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Colorization;

/// <summary>
/// Picks up model files put in place while the app runs: after a failed load, a change in the models folder (seen by
/// a <see cref="FileSystemWatcher"/>, and by a slow periodic look for mounts where the watcher sees nothing) makes
/// the host load again once the files have stayed unchanged for <see cref="ModelWatchOptions.SettleTime"/>. One
/// check runs at a time; the watching ends once the model is ready.
/// </summary>
internal sealed partial class ModelFilesWatcher(ModelHost host, IOptions<ModelWatchOptions> options, ILogger<ModelFilesWatcher> logger)
    : BackgroundService
{
    private static readonly HashSet<string> ModelFiles = new(StringComparer.Ordinal)
    {
        ModelFileNames.Weights, ModelFileNames.Prototxt, ModelFileNames.BinCentres,
    };

    // Room for one: any number of changes during a check make exactly one more check, never a backlog.
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        host.StateChanged += OnStateChanged;
        try
        {
            using var watcher = TryWatch(host.ModelsDirectory, settings.PollInterval);
            using var timer = new PeriodicTimer(settings.PollInterval);
            Task<bool> tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            Task<bool> change = _changes.Reader.WaitToReadAsync(stoppingToken).AsTask();
            while (host.Engine is null)
            {
                var woke = await Task.WhenAny(tick, change);
                if (!await woke)
                    break;
                if (woke == tick)
                {
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                else
                {
                    _changes.Reader.TryRead(out _);
                    change = _changes.Reader.WaitToReadAsync(stoppingToken).AsTask();
                }
                await host.RetryIfFilesChangedAsync(settings.SettleTime, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            host.StateChanged -= OnStateChanged;
        }
    }

    private FileSystemWatcher? TryWatch(string directory, TimeSpan pollInterval)
    {
        try
        {
            // A watcher needs the folder to exist; the downloader would create it anyway.
            Directory.CreateDirectory(directory);
            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite,
                IncludeSubdirectories = false,
            };
            watcher.Created += OnFileEvent;
            watcher.Changed += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            // Lost events (an overflowing buffer) may have hidden the one that matters: look anyway.
            watcher.Error += (_, _) => Poke();
            watcher.EnableRaisingEvents = true;
            LogWatching(logger, directory, pollInterval);
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // E.g. the inotify instance limit: the periodic look still finds the files, only later.
            LogCannotWatch(logger, directory, ex.Message, pollInterval);
            return null;
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (e.Name is { } name && ModelFiles.Contains(name))
            Poke();
    }

    // A failure may come while the files were being put in place during the attempt; readiness ends the watch.
    private void OnStateChanged(ModelState state)
    {
        if (state.Status is ModelStatus.Failed or ModelStatus.Ready)
            Poke();
    }

    private void Poke() => _changes.Writer.TryWrite(true);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watching {Directory} for model files put in place after a failed load (and looking every {PollInterval})")]
    private static partial void LogWatching(ILogger logger, string directory, TimeSpan pollInterval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch {Directory} for model files ({Reason}); looking at it every {PollInterval} instead")]
    private static partial void LogCannotWatch(ILogger logger, string directory, string reason, TimeSpan pollInterval);
}
