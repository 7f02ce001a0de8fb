using System.Collections.Concurrent;
using System.Threading.Channels;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.IO;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Video;
using Colorizer.Web.Colorization;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace Colorizer.Web.Video;

/// <summary>
/// Video jobs that outlive the page that started them, and the app: uploads are saved in a folder per job in the
/// storage folder, recorded in its SQLite index (<see cref="VideoJobIndex"/>), and colorized one at a time in the
/// background in resumable segments, each job holding one slot of the shared <see cref="WorkQueue"/> while it runs
/// (so photos still get through on the others) and, before it takes that slot, its frames' working set in the
/// <see cref="MemoryBudget"/> for images in flight (waiting for room rather than failing). A restart, a crash or a stop of the app leaves unfinished jobs on
/// disk: the next start queues them again in their order and they carry on from their last finished segment. A job
/// is found by its unguessable id, from any tab, until it expires <see cref="VideoJobOptions.RetainFinishedFor"/>
/// after it ended; then it and its files are deleted.
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
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly MemoryBudget? _budget;
    private readonly AdmissionOptions _admissionOptions;
    private VideoStorage? _storage;
    private int _uploading;
    private long _sequence;

    /// <summary>Creates the service; <see cref="StartAsync"/> prepares the storage folder.</summary>
    public VideoJobService(IOptions<VideoJobOptions> options, ModelHost models, WorkQueue queue, TimeProvider time, ILogger<VideoJobService> logger,
        ModelLibrary? library = null, IHostApplicationLifetime? lifetime = null, MemoryBudget? budget = null, IOptions<AdmissionOptions>? admission = null)
    {
        _lifetime = lifetime;
        _budget = budget;
        _admissionOptions = admission?.Value ?? new AdmissionOptions();
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

    /// <summary>The storage folder (null before start).</summary>
    public string? StorageDirectory => _storage?.Root;

    /// <summary>The bytes the jobs' files hold on disk now (0 before start).</summary>
    public long StorageBytes => _storage?.BytesInUse() ?? 0;

    /// <summary>Jobs known now (queued, running and finished but not yet expired).</summary>
    public int Count => _jobs.Count;

    /// <summary>
    /// Takes the storage folder, reads the jobs kept there, removes what no job names (an upload a crash cut short),
    /// queues the unfinished jobs again and starts the runner.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_storage is null)
        {
            _storage = VideoStorage.Open(_options.ResolvedStorageDirectory, out int earlier);
            if (earlier > 0)
                _logger.LogInformation("Removed {Count} video folder(s) of an earlier version from {Directory}", earlier, _storage.Root);
            Restore(_storage);
        }
        if (_queue.Concurrency < 2)
            _logger.LogWarning("Queue:Concurrency is {Concurrency}: while a video is colorized, photos wait for it to finish. Set it to 2 or more.", _queue.Concurrency);
        return base.StartAsync(cancellationToken);
    }

    // The jobs of the last run: the finished ones are shown until they expire, the others run again in their order.
    private void Restore(VideoStorage storage)
    {
        var stored = storage.Index.Load((id, ex) => _logger.LogWarning("Video job {Id} could not be read from the storage index and was dropped: {Reason}", id, ex.Message));
        var resumed = new List<VideoJob>();
        var now = _time.GetUtcNow();
        foreach (var row in stored)
        {
            var job = new VideoJob(row.Snapshot, row.Sequence, row.Folder, storage.FolderPath(row.Folder), row.InputName);
            var snapshot = row.Snapshot;
            if (!snapshot.IsFinished && !File.Exists(job.InputPath))
                snapshot = Ended(snapshot, VideoJobState.Failed, "The uploaded video was lost from the server's storage; upload it again.", null, now);
            else if (snapshot.State == VideoJobState.Done && !File.Exists(job.ResultPath))
                snapshot = Ended(snapshot, VideoJobState.Failed, "The colorized video was lost from the server's storage; upload the video again.", null, now);
            else if (!snapshot.IsFinished)
                snapshot = snapshot with { State = VideoJobState.Queued, Note = ResumeNote, Progress = null };
            if (job.Update(_ => snapshot))
            {
                // The row first, then the files: a crash between leaves a finished row whose folder goes when it expires.
                Save(job);
                if (snapshot.State == VideoJobState.Failed)
                {
                    _logger.LogWarning("Video job {Id} failed at start: {Reason}", snapshot.Id, snapshot.Error);
                    DeleteFiles(job);
                }
            }
            _jobs[snapshot.Id] = job;
            _sequence = Math.Max(_sequence, row.Sequence);
            if (snapshot.State == VideoJobState.Queued)
                resumed.Add(job);
        }
        int swept = storage.RemoveUnused(stored.Select(j => j.Folder).ToHashSet(StringComparer.Ordinal));
        if (swept > 0)
            _logger.LogInformation("Removed {Count} video folder(s) that no job names (uploads cut short) from {Directory}", swept, storage.JobsDirectory);
        if (stored.Count > 0)
            _logger.LogInformation("Video storage {Directory}: {Jobs} job(s) kept, {Resumed} carrying on", storage.Root, stored.Count, resumed.Count);
        foreach (var job in resumed)
            _pending.Writer.TryWrite(job);
        UpdatePositions();
        RemoveExpired();
    }

    private const string ResumeNote = "Carrying on from its last finished segment after a restart of the server.";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cleanup = CleanupLoopAsync(stoppingToken);
        try
        {
            await foreach (var job in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                // A read can succeed after the stop began: the job is left queued for the next start.
                if (ServerStopping(stoppingToken))
                    break;
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
            // It never ran: its upload can go now (once its row says it was cancelled).
            Save(job);
            DeleteFiles(job);
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
        // The row goes first: a crash from here on leaves a folder no row names, which the next start sweeps.
        TryIndex(index => index.Delete(id), id);
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
        string inputName = "original" + extension;
        string? folderPath = null;
        bool admitted = false;
        try
        {
            // Inside the try: a folder that cannot be made (a full or unwritable disk) must give back the admission too.
            string folder = Store(storage.NewFolder);
            folderPath = storage.FolderPath(folder);
            string input = Path.Combine(folderPath, inputName);
            string partial = input + ".upload";
            long size = await SaveAsync(content, partial, received, ct);
            Store(() => File.Move(partial, input));
            var limits = _models.Limits;
            int totalFrames = await Task.Run(() => Probe(input, fileName, limits.MaxPixels, limits.MaxSide), ct);
            var now = _time.GetUtcNow();
            var snapshot = new VideoJobSnapshot(VideoJobIds.New(), fileName, size, VideoJobState.Queued, 0, null, null, null, null, now, null, null, totalFrames,
                Settings: settings);
            var job = new VideoJob(snapshot, Interlocked.Increment(ref _sequence), folder, folderPath, inputName);
            // Recorded once its upload is whole: from here on a restart carries it on.
            try
            {
                storage.Index.Insert(job.ToStored());
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
            {
                _logger.LogError(ex, "Video job could not be recorded in {Directory}", storage.Root);
                throw new VideoJobRefusedException("The server could not record the video job (its storage is full or unwritable); try again later.", VideoJobRefusal.StorageFailed, ex);
            }
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
            if (folderPath is not null)
                BestEffortDelete.Folder(folderPath);
            throw;
        }
    }

    // A failure to write the storage folder (not to read the upload), as the refusal the API answers 503 with.
    private T Store<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageFailure(ex);
        }
    }

    private void Store(Action write) => Store(() =>
    {
        write();
        return true;
    });

    private VideoJobRefusedException StorageFailure(Exception ex)
    {
        _logger.LogError(ex, "A video upload could not be written to {Directory}", _storage?.Root);
        return new VideoJobRefusedException("The server could not store the video (its storage is full or unwritable); try again later.",
            VideoJobRefusal.StorageFailed, ex);
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
            TryIndex(index => index.Delete(snapshot.Id), snapshot.Id);
            DeleteFiles(job);
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
        MemoryLease? frames = null;
        // How it ended; recorded once its slot is free again, so whoever sees it ended sees the slot free.
        (VideoJobState State, string? Error, VideoResult? Result)? outcome = null;
        try
        {
            ColorizationEngine engine;
            if (!job.Model.IsOnnxFile)
            {
                if (_models.Engine is null)
                    job.Update(s => s with { Note = "Waiting for the colorization model to load." });
                engine = await _models.GetEngineAsync(ct);
                frames = await ChargeFramesAsync(job, ct);
                ticket = await TakeSlotAsync(job, ct);
            }
            else
            {
                // The load (and a download, if needed) is this job's work in its slot, shared with any photo that waits for the same model.
                frames = await ChargeFramesAsync(job, ct);
                ticket = await TakeSlotAsync(job, ct);
                job.Update(s => s with { Note = $"Loading the {job.Model.Name} model." });
                lease = await _library!.AcquireAsync(job.Model, ct: ct);
                engine = lease.Engine;
            }
            job.Update(s => s with { State = VideoJobState.Running, Note = null, JobsAhead = 0, StartedAt = s.StartedAt ?? _time.GetUtcNow() });
            Save(job);
            var progress = new JobProgress(job);
            // In segments, so that a restart carries on from the last one finished.
            var options = job.Snapshot.Settings.ToVideoOptions() with { Resumable = true, SegmentSeconds = _options.SegmentSeconds };
            var result = await new VideoColorizer(engine, _logger).ColorizeAsync(job.InputPath, job.ResultPath, options, progress, ct);
            outcome = (VideoJobState.Done, null, result);
            _logger.LogInformation("Video job {Id} done: {Frames} frames, {Passes} network passes", job.Id, result.Frames, result.ForwardPasses);
        }
        catch (Exception) when (ServerStopping(stopping) && !job.CancellationToken.IsCancellationRequested)
        {
            // The app is stopping: the job stays recorded as it was, with its finished segments, for the next start.
            // Whatever ended the run, not only a cancellation: a Ctrl+C in a terminal or systemd's stop signals the
            // whole process group, so ffmpeg may die of it before this service is told to stop, failing the run with
            // "ffmpeg stopped" — which must not fail the job and delete the upload it is to carry on from.
            job.Update(s => s with { State = VideoJobState.Queued, Note = "Paused: the server is stopping. It carries on when the server starts again.", Progress = null });
            _logger.LogInformation("Video job {Id} paused by the server stopping; it carries on at the next start", job.Id);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = (VideoJobState.Cancelled, "Cancelled.", null);
        }
        catch (ColorizerException ex)
        {
            // A broken video (InvalidVideoException), or the model failed to load: the message is meant for people.
            // Core names the file it read: here that is a generated name, so the user's own is said instead.
            string message = ex.Message.Replace(Path.GetFileName(job.InputPath), job.Snapshot.FileName, StringComparison.Ordinal);
            _logger.LogWarning("Video job {Id} failed: {Message}", job.Id, message);
            outcome = (VideoJobState.Failed, message, null);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Video job {Id} failed unexpectedly", job.Id);
            outcome = (VideoJobState.Failed, "The video could not be colorized because of an unexpected error on the server; it has been logged.", null);
        }
        finally
        {
            lease?.Dispose();
            ticket?.Dispose();
            frames?.Dispose();
            if (outcome is { } ended)
                Finish(job, ended.State, ended.Error, ended.Result);
            // Deleted while it ran: its files go now that nothing writes them.
            if (!_jobs.TryGetValue(job.Id, out var current) || !ReferenceEquals(current, job))
                DeleteFiles(job);
            UpdatePositions();
        }
    }

    // The host's stop has begun (the signal is in) or this service is being stopped.
    private bool ServerStopping(CancellationToken stopping) =>
        stopping.IsCancellationRequested || _lifetime?.ApplicationStopping.IsCancellationRequested == true;

    private static void DeleteFiles(VideoJob job) => BestEffortDelete.Folder(job.FolderPath);

    private void Finish(VideoJob job, VideoJobState state, string? error, VideoResult? result)
    {
        var ended = Ended(job.Snapshot, state, error, result, _time.GetUtcNow());
        // The row first; then, with nothing to show but the reason, the files (a crash between leaves a finished row
        // whose folder goes when it expires; a finished run has removed its segments itself); then the pages see it.
        TryIndex(index => index.Update(job.ToStored() with { Snapshot = ended }), job.Id);
        if (state != VideoJobState.Done)
            DeleteFiles(job);
        job.Update(_ => ended);
    }

    private VideoJobSnapshot Ended(VideoJobSnapshot s, VideoJobState state, string? error, VideoResult? result, DateTimeOffset now) => s with
    {
        State = state, Error = error, Result = result, Note = null, JobsAhead = 0, FinishedAt = now, ExpiresAt = now + _options.RetainFinishedFor,
        Progress = result is not null && s.Progress is { } p ? p with { FramesDone = result.Frames, TotalFrames = result.Frames, Remaining = TimeSpan.Zero } : s.Progress,
    };

    // Writes the job's row again (a deleted job's row stays deleted).
    private void Save(VideoJob job) => TryIndex(index => index.Update(job.ToStored()), job.Id);

    private void TryIndex(Action<VideoJobIndex> write, string id)
    {
        if (_storage is not { } storage)
            return;
        try
        {
            write(storage.Index);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException)
        {
            // The job goes on in memory; what a restart finds is the last state written.
            _logger.LogError(ex, "Video job {Id} could not be written to the storage index", id);
        }
    }

    /// <summary>What a queued video says while it waits for room in the memory for images in flight.</summary>
    public const string WaitingForMemoryNote = "Waiting for room in the server's memory for images in flight.";

    // A video's frames are decoded, repaired, coloured and written one after another into buffers reused for the whole
    // run, so what it holds in flight is one frame's working set, estimated as a photo's of the frame's size; charged
    // to the memory budget from before its slot until its run ends (done, failed, cancelled or paused), waiting for room
    // as long as it takes (its upload was accepted already), not failing.
    private async Task<MemoryLease?> ChargeFramesAsync(VideoJob job, CancellationToken ct)
    {
        if (_budget is null)
            return null;
        var (width, height) = await Task.Run(() => FrameSize(job.InputPath), ct);
        // A background lease: held for the whole run, it must not count as the work that keeps a request larger than what
        // is left (or the uploads holding the rest) from being let through, or they all wait out their deadline meanwhile.
        var charge = _budget.AcquireBackgroundAsync(_admissionOptions.EstimateWorkingSet(width, height), ct);
        if (!charge.IsCompleted)
            job.Update(s => s with { Note = WaitingForMemoryNote });
        return await charge;
    }

    // The frames' size (0 × 0 for a file that no longer opens: the run then fails with the reason).
    private static (int Width, int Height) FrameSize(string path)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        return capture.IsOpened() ? (Math.Max(0, capture.FrameWidth), Math.Max(0, capture.FrameHeight)) : (0, 0);
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
        await using var file = Store(() => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true));
        int read;
        while ((read = await content.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > limit)
                throw new VideoJobRefusedException($"The video is larger than the limit of {Api.UploadLimits.Describe(limit)}.", VideoJobRefusal.TooLarge);
            // A write that fails (the disk is full) is the storage's failure, not the client's: 503, not 500.
            try
            {
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !ct.IsCancellationRequested)
            {
                throw StorageFailure(ex);
            }
            if (received is not null && _time.GetElapsedTime(lastReport) > TimeSpan.FromMilliseconds(250))
            {
                lastReport = _time.GetTimestamp();
                received.Report(total);
            }
        }
        if (total == 0)
            throw new VideoJobRefusedException("The file is empty.", VideoJobRefusal.Empty);
        try
        {
            await file.FlushAsync(ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !ct.IsCancellationRequested)
        {
            throw StorageFailure(ex);
        }
        received?.Report(total);
        return total;
    }

    // Opens the upload as a video at once, so a file that is none is refused with its reason instead of queued.
    // Its frames are held to a photo's limits: a small file can declare frames of gigabytes each, decoded one by one.
    private static int Probe(string path, string fileName, long maxPixels, int maxSide)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened() || capture.FrameWidth <= 0 || capture.FrameHeight <= 0)
            throw new VideoJobRefusedException($"“{fileName}” could not be opened as a video: it is damaged or not a video.", VideoJobRefusal.NotAVideo);
        int width = capture.FrameWidth, height = capture.FrameHeight;
        if ((long)width * height > maxPixels || Math.Max(width, height) > maxSide)
            throw new VideoJobRefusedException(
                $"“{fileName}” has frames of {width} × {height} pixels; the largest accepted is {maxPixels:N0} pixels and {maxSide:N0} on a side.",
                VideoJobRefusal.FramesTooLarge);
        double fps = capture.Fps;
        if (!(fps > 0 && fps < 1000))
            throw new VideoJobRefusedException($"“{fileName}” declares a frame rate of {fps}; it is damaged.", VideoJobRefusal.NotAVideo);
        return Math.Max(0, capture.FrameCount);
    }

    /// <summary>Stops what runs and closes the storage; the jobs stay on disk for the next start.</summary>
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
