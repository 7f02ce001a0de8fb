using System.Collections.Concurrent;
using System.Threading.Channels;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Video;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace Colorizer.Web.Video;

/// <summary>
/// Video jobs that outlive the page that started them: uploads are saved under generated names in the storage folder
/// and colorized one at a time in the background, each holding one slot of the shared <see cref="WorkQueue"/> while it
/// runs (so photos still get through on the others). A job is found by its unguessable id, from any tab, until it
/// expires <see cref="VideoJobOptions.RetainFinishedFor"/> after it ended; then it and its files are deleted.
/// </summary>
public sealed class VideoJobService : BackgroundService, IVideoJobs
{
    private readonly VideoJobOptions _options;
    private readonly ModelHost _models;
    private readonly ModelLibrary? _library;
    private readonly WorkQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<VideoJobService> _logger;
    private readonly ConcurrentDictionary<string, VideoJob> _jobs = new(StringComparer.Ordinal);
    private readonly Channel<VideoJob> _pending = Channel.CreateUnbounded<VideoJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _admission = new();
    private readonly Lock _positions = new();
    private VideoStorage? _storage;
    private int _uploading;
    private long _sequence;

    /// <summary>Creates the service; <see cref="StartAsync"/> prepares the storage folder.</summary>
    public VideoJobService(IOptions<VideoJobOptions> options, ModelHost models, WorkQueue queue, TimeProvider time, ILogger<VideoJobService> logger,
        ModelLibrary? library = null)
    {
        _options = options.Value;
        _models = models;
        _library = library;
        _queue = queue;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public long MaxFileBytes => _options.MaxFileBytes;

    /// <inheritdoc />
    public TimeSpan RetainFinishedFor => _options.RetainFinishedFor;

    /// <summary>This app's folder inside the storage folder (null before start).</summary>
    public string? StorageDirectory => _storage?.Directory;

    /// <summary>Jobs known now (queued, running and finished but not yet expired).</summary>
    public int Count => _jobs.Count;

    /// <summary>Removes leftovers of crashed apps from the storage folder, takes a folder of its own and starts the runner.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _storage ??= VideoStorage.Open(_options.ResolvedStorageDirectory);
        if (_storage.LeftoversRemoved > 0)
            _logger.LogInformation("Removed {Count} leftover video folder(s) from {Directory}", _storage.LeftoversRemoved, _storage.Root);
        if (_queue.Concurrency < 2)
            _logger.LogWarning("Queue:Concurrency is {Concurrency}: while a video is colorized, photos wait for it to finish. Set it to 2 or more.", _queue.Concurrency);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cleanup = CleanupLoopAsync(stoppingToken);
        try
        {
            await foreach (var job in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                if (job.TryClaim())
                    await RunAsync(job, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await cleanup;
    }

    /// <inheritdoc />
    public VideoJobSnapshot? Find(string id) => VideoJobIds.IsWellFormed(id) && _jobs.TryGetValue(id, out var job) ? job.Snapshot : null;

    /// <inheritdoc />
    public IDisposable? Watch(string id, Action changed)
    {
        if (!_jobs.TryGetValue(id, out var job))
            return null;
        job.Changed += changed;
        return new Subscription(() => job.Changed -= changed);
    }

    /// <inheritdoc />
    public bool Cancel(string id)
    {
        if (!_jobs.TryGetValue(id, out var job) || job.Snapshot.IsFinished)
            return false;
        var now = _time.GetUtcNow();
        if (job.Cancel(now, now + _options.RetainFinishedFor))
        {
            // It never ran: its upload can go now.
            VideoStorage.TryDelete(job.InputPath);
            _logger.LogInformation("Video job {Id} cancelled while queued", id);
            UpdatePositions();
        }
        return true;
    }

    /// <inheritdoc />
    public bool Delete(string id)
    {
        if (!VideoJobIds.IsWellFormed(id) || !_jobs.TryRemove(id, out var job))
            return false;
        var now = _time.GetUtcNow();
        job.Cancel(now, now);
        // A running job stops at its next frame and its run deletes the files (it finds itself forgotten); the rest go now.
        if (!job.IsClaimedAndRunning)
            DeleteFiles(job);
        _logger.LogInformation("Video job {Id} deleted", id);
        job.RaiseChanged();
        UpdatePositions();
        return true;
    }

    /// <inheritdoc />
    public Task<VideoJobSnapshot> CreateAsync(string fileName, Stream content, IProgress<long>? received = null, CancellationToken ct = default) =>
        CreateAsync(fileName, content, VideoJobSettings.Default, received, ct);

    /// <summary>
    /// As <see cref="CreateAsync(string, Stream, IProgress{long}?, CancellationToken)"/>, colorized as
    /// <paramref name="settings"/> say. A DDColor or DeOldify model is loaded (and downloaded, when allowed) once the
    /// job has its slot in the shared queue.
    /// </summary>
    public async Task<VideoJobSnapshot> CreateAsync(string fileName, Stream content, VideoJobSettings settings, IProgress<long>? received = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var model = settings.Model;
        if (model.IsOnnxFile && _library is null)
            throw new InvalidOperationException("This service was made without the model library.");
        var storage = _storage ?? throw new InvalidOperationException("The video job service has not been started.");
        string extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (!VideoFiles.Extensions.Contains(extension))
            throw new VideoJobRefusedException(
                $"“{fileName}” is not a supported video: use {string.Join(", ", VideoFiles.Extensions.Order())}.", VideoJobRefusal.UnsupportedFormat);
        lock (_admission)
        {
            int waiting = _uploading + _jobs.Values.Count(j => j.Snapshot.State == VideoJobState.Queued);
            if (waiting >= _options.MaxQueuedJobs)
                throw new VideoJobRefusedException($"The server is busy: {waiting} videos are waiting already. Try again when one has finished.", VideoJobRefusal.Busy);
            _uploading++;
        }
        string input = storage.NewPath("-original" + extension);
        string partial = input + ".upload";
        bool admitted = false;
        try
        {
            long size = await SaveAsync(content, partial, received, ct);
            File.Move(partial, input);
            int totalFrames = await Task.Run(() => Probe(input, fileName), ct);
            var now = _time.GetUtcNow();
            var snapshot = new VideoJobSnapshot(VideoJobIds.New(), fileName, size, VideoJobState.Queued, 0, null, null, null, null, now, null, null, totalFrames,
                Settings: settings);
            var job = new VideoJob(snapshot, Interlocked.Increment(ref _sequence), input, storage.NewPath("-colorized" + VideoFiles.OutputExtension), ContentType(extension));
            lock (_admission)
            {
                _uploading--;
                _jobs[snapshot.Id] = job;
                admitted = true;
            }
            _logger.LogInformation("Video job {Id} queued: {Bytes} bytes, {Frames} frames", snapshot.Id, size, totalFrames);
            UpdatePositions();
            _pending.Writer.TryWrite(job);
            return job.Snapshot;
        }
        catch when (!admitted)
        {
            lock (_admission)
                _uploading--;
            VideoStorage.TryDelete(partial);
            VideoStorage.TryDelete(input);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<VideoFramePair?> ReadFramesAsync(string id, int frame, int maxSide, CancellationToken ct = default)
    {
        if (!_jobs.TryGetValue(id, out var job) || job.Snapshot is not { State: VideoJobState.Done, Result: { } result })
            return null;
        if (frame < 0 || frame >= result.Frames)
            return null;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 16);
        return await Task.Run(() => VideoFrameReader.ReadPair(job.InputPath, job.ResultPath, frame, maxSide), ct);
    }

    /// <summary>A finished job's result file, or its upload, with its media type; null when there is none (yet).</summary>
    public (string Path, string ContentType, string DownloadName)? GetFile(string id, VideoFileKind kind)
    {
        if (!_jobs.TryGetValue(id, out var job))
            return null;
        var snapshot = job.Snapshot;
        return kind switch
        {
            VideoFileKind.Result when snapshot.State == VideoJobState.Done => (job.ResultPath, "video/mp4", snapshot.DownloadName),
            VideoFileKind.Original when snapshot.State is VideoJobState.Queued or VideoJobState.Running or VideoJobState.Done =>
                (job.InputPath, job.OriginalContentType, Api.DownloadFileName.Stem(snapshot.FileName) + Path.GetExtension(job.InputPath)),
            _ => null,
        };
    }

    /// <summary>Forgets the jobs that ended more than <see cref="VideoJobOptions.RetainFinishedFor"/> ago and deletes their files; returns how many.</summary>
    public int RemoveExpired()
    {
        var now = _time.GetUtcNow();
        int removed = 0;
        foreach (var job in _jobs.Values)
        {
            var snapshot = job.Snapshot;
            if (snapshot.FinishedAt is not { } finished || now - finished < _options.RetainFinishedFor)
                continue;
            if (!_jobs.TryRemove(new KeyValuePair<string, VideoJob>(snapshot.Id, job)))
                continue;
            VideoStorage.TryDelete(job.InputPath);
            VideoStorage.TryDelete(job.ResultPath);
            removed++;
            // Pages showing it look it up again and find it gone.
            job.RaiseChanged();
        }
        if (removed > 0)
            _logger.LogInformation("Removed {Count} expired video job(s)", removed);
        return removed;
    }

    private async Task CleanupLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.CleanupInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                RemoveExpired();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(VideoJob job, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.CancellationToken, stopping);
        var ct = linked.Token;
        WorkTicket? ticket = null;
        ModelLease? lease = null;
        try
        {
            ColorizationEngine engine;
            if (!job.Model.IsOnnxFile)
            {
                if (_models.Engine is null)
                    job.Update(s => s with { Note = "Waiting for the colorization model to load." });
                engine = await _models.GetEngineAsync(ct);
                ticket = await TakeSlotAsync(job, ct);
            }
            else
            {
                // The load (and a download, if needed) is this job's work in its slot, shared with any photo that waits for the same model.
                ticket = await TakeSlotAsync(job, ct);
                job.Update(s => s with { Note = $"Loading the {job.Model.Name} model." });
                lease = await _library!.AcquireAsync(job.Model, ct: ct);
                engine = lease.Engine;
            }
            job.Update(s => s with { State = VideoJobState.Running, Note = null, JobsAhead = 0, StartedAt = _time.GetUtcNow() });
            var progress = new JobProgress(job);
            var options = job.Snapshot.Settings.ToVideoOptions();
            var result = await new VideoColorizer(engine, _logger).ColorizeAsync(job.InputPath, job.ResultPath, options, progress, ct);
            Finish(job, VideoJobState.Done, null, result);
            _logger.LogInformation("Video job {Id} done: {Frames} frames, {Passes} network passes", job.Id, result.Frames, result.ForwardPasses);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Finish(job, VideoJobState.Cancelled, stopping.IsCancellationRequested ? "Cancelled: the server is shutting down." : "Cancelled.", null);
        }
        catch (ColorizerException ex)
        {
            // A broken video (InvalidVideoException), or the model failed to load: the message is meant for people.
            // Core names the file it read: here that is a generated name, so the user's own is said instead.
            string message = ex.Message.Replace(Path.GetFileName(job.InputPath), job.Snapshot.FileName, StringComparison.Ordinal);
            _logger.LogWarning("Video job {Id} failed: {Message}", job.Id, message);
            Finish(job, VideoJobState.Failed, message, null);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Video job {Id} failed unexpectedly", job.Id);
            Finish(job, VideoJobState.Failed, "The video could not be colorized because of an unexpected error on the server; it has been logged.", null);
        }
        finally
        {
            lease?.Dispose();
            ticket?.Dispose();
            // Deleted while it ran: its files go now that nothing writes them.
            if (!_jobs.TryGetValue(job.Id, out var current) || !ReferenceEquals(current, job))
                DeleteFiles(job);
            UpdatePositions();
        }
    }

    private static void DeleteFiles(VideoJob job)
    {
        VideoStorage.TryDelete(job.InputPath);
        VideoStorage.TryDelete(job.ResultPath);
    }

    private void Finish(VideoJob job, VideoJobState state, string? error, VideoResult? result)
    {
        var now = _time.GetUtcNow();
        if (state != VideoJobState.Done)
        {
            // Nothing to show but the reason: the files go at once.
            VideoStorage.TryDelete(job.InputPath);
            VideoStorage.TryDelete(job.ResultPath);
        }
        job.Update(s => s with
        {
            State = state, Error = error, Result = result, Note = null, JobsAhead = 0, FinishedAt = now, ExpiresAt = now + _options.RetainFinishedFor,
            Progress = result is not null && s.Progress is { } p ? p with { FramesDone = result.Frames, TotalFrames = result.Frames, Remaining = TimeSpan.Zero } : s.Progress,
        });
    }

    // One slot of the shared queue. A full line is waited out (the upload was accepted already), not refused.
    private async Task<WorkTicket> TakeSlotAsync(VideoJob job, CancellationToken ct)
    {
        while (true)
        {
            WorkTicket ticket;
            try
            {
                // A video holds its place for minutes: counted as expensive, it leaves the other running place to photos.
                ticket = _queue.Enter("video", WorkQueue.ExpensiveCost);
            }
            catch (WorkQueueFullException)
            {
                job.Update(s => s with { Note = "Waiting for a free slot: the server is busy with photos." });
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct);
                continue;
            }
            void OnPosition(WorkTicket t)
            {
                int position = t.Position;
                job.Update(s => s with { Note = position > 0 ? $"Waiting for a free slot: number {position} in line." : null });
            }
            ticket.PositionChanged += OnPosition;
            try
            {
                OnPosition(ticket);
                await ticket.WaitTurnAsync(ct);
                return ticket;
            }
            catch
            {
                ticket.Dispose();
                throw;
            }
            finally
            {
                ticket.PositionChanged -= OnPosition;
            }
        }
    }

    // The videos ahead of each queued one (the running one counts).
    private void UpdatePositions()
    {
        lock (_positions)
        {
            var active = _jobs.Values.Where(j => j.Snapshot.State is VideoJobState.Queued or VideoJobState.Running)
                .OrderBy(j => j.Sequence).ToList();
            for (int i = 0; i < active.Count; i++)
            {
                int ahead = i;
                active[i].Update(s => s.State == VideoJobState.Queued && s.JobsAhead != ahead ? s with { JobsAhead = ahead } : null);
            }
        }
    }

    private async Task<long> SaveAsync(Stream content, string path, IProgress<long>? received, CancellationToken ct)
    {
        long limit = _options.MaxFileBytes, total = 0;
        byte[] buffer = new byte[1 << 16];
        var lastReport = _time.GetTimestamp();
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        int read;
        while ((read = await content.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > limit)
                throw new VideoJobRefusedException($"The video is larger than the limit of {Api.UploadLimits.Describe(limit)}.", VideoJobRefusal.TooLarge);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
            if (received is not null && _time.GetElapsedTime(lastReport) > TimeSpan.FromMilliseconds(250))
            {
                lastReport = _time.GetTimestamp();
                received.Report(total);
            }
        }
        if (total == 0)
            throw new VideoJobRefusedException("The file is empty.", VideoJobRefusal.Empty);
        received?.Report(total);
        return total;
    }

    // Opens the upload as a video at once, so a file that is none is refused with its reason instead of queued.
    private static int Probe(string path, string fileName)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened() || capture.FrameWidth <= 0 || capture.FrameHeight <= 0)
            throw new VideoJobRefusedException($"“{fileName}” could not be opened as a video: it is damaged or not a video.", VideoJobRefusal.NotAVideo);
        double fps = capture.Fps;
        if (!(fps > 0 && fps < 1000))
            throw new VideoJobRefusedException($"“{fileName}” declares a frame rate of {fps}; it is damaged.", VideoJobRefusal.NotAVideo);
        return Math.Max(0, capture.FrameCount);
    }

    private static string ContentType(string extension) => extension switch
    {
        ".mp4" or ".m4v" => "video/mp4",
        ".mov" => "video/quicktime",
        ".webm" => "video/webm",
        ".mkv" => "video/x-matroska",
        ".avi" => "video/x-msvideo",
        _ => "application/octet-stream",
    };

    /// <summary>Cancels what runs and deletes this app's video folder.</summary>
    public override void Dispose()
    {
        base.Dispose();
        _storage?.Dispose();
    }

    private sealed class JobProgress(VideoJob job) : IProgress<VideoProgress>
    {
        public void Report(VideoProgress value) => job.Update(s => s with { Progress = value, TotalFrames = Math.Max(s.TotalFrames, value.TotalFrames) });
    }

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                unsubscribe();
        }
    }
}

/// <summary>Which file of a job.</summary>
public enum VideoFileKind
{
    /// <summary>The colorized MP4.</summary>
    Result,

    /// <summary>The upload as it came.</summary>
    Original,
}
