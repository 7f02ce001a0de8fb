using Colorizer.Core.Video;

namespace Colorizer.Web.Video;

/// <summary>The stages of a video job.</summary>
public enum VideoJobState
{
    /// <summary>Uploaded, waiting for the videos before it, the model or a free slot of the work queue.</summary>
    Queued,

    /// <summary>Being colorized.</summary>
    Running,

    /// <summary>Colorized: the result can be played and downloaded.</summary>
    Done,

    /// <summary>Stopped by an error; see <see cref="VideoJobSnapshot.Error"/>.</summary>
    Failed,

    /// <summary>Cancelled by the user (or the server shutting down).</summary>
    Cancelled,
}

/// <summary>What a video job is doing, as of one moment: immutable, so a page can render it from any thread.</summary>
/// <param name="Id">The job's unguessable id: 128 random bits, base64url (22 characters). Its URLs are capabilities.</param>
/// <param name="FileName">The name the user's file had: shown (encoded), never used as a path.</param>
/// <param name="SizeBytes">The upload's size.</param>
/// <param name="State">The stage.</param>
/// <param name="JobsAhead">While queued: the videos that will run before this one (0 when it is next).</param>
/// <param name="Note">While queued: what it waits for (the model, a free slot), or null.</param>
/// <param name="Progress">Frames done of the total, speed and time left; null before the first frame.</param>
/// <param name="Result">What the colorization did, once done.</param>
/// <param name="Error">Why it failed or that it was cancelled.</param>
/// <param name="CreatedAt">When the upload finished.</param>
/// <param name="StartedAt">When colorizing started.</param>
/// <param name="FinishedAt">When it ended (done, failed or cancelled); the job expires a retention period later.</param>
/// <param name="TotalFrames">The frame count the container announces (0 if unknown), known from the upload on.</param>
/// <param name="ExpiresAt">When the job and its files will be deleted, once finished.</param>
/// <param name="Settings">How it is colorized.</param>
public sealed record VideoJobSnapshot(
    string Id,
    string FileName,
    long SizeBytes,
    VideoJobState State,
    int JobsAhead,
    string? Note,
    VideoProgress? Progress,
    VideoResult? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int TotalFrames = 0,
    DateTimeOffset? ExpiresAt = null,
    VideoJobSettings? Settings = null)
{
    /// <summary>How it is colorized (the defaults when none were given).</summary>
    public VideoJobSettings Settings { get; init; } = Settings ?? VideoJobSettings.Default;

    /// <summary>True once the job has ended, whichever way.</summary>
    public bool IsFinished => State is VideoJobState.Done or VideoJobState.Failed or VideoJobState.Cancelled;

    /// <summary>The address of the colorized MP4 (relative to the app's base).</summary>
    public string ResultUrl => $"video/{Id}/result";

    /// <summary>The address of the upload as it came.</summary>
    public string OriginalUrl => $"video/{Id}/original";

    /// <summary>The file name a download gets: the upload's stem, made safe, plus <c>-colorized.mp4</c>.</summary>
    public string DownloadName => Api.DownloadFileName.Stem(FileName) + "-colorized" + VideoFiles.OutputExtension;
}

/// <summary>
/// One job: its files, its cancellation and its latest <see cref="VideoJobSnapshot"/>. (Its token source has no timer,
/// so it is left to the garbage collector: a page may still cancel a job the clean-up is removing.)
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer; see the summary.")]
internal sealed class VideoJob
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cancel = new();
    private VideoJobSnapshot _snapshot;
    private bool _claimed;

    public VideoJob(VideoJobSnapshot initial, long sequence, string folder, string folderPath, string inputName)
    {
        _snapshot = initial;
        Sequence = sequence;
        Folder = folder;
        FolderPath = folderPath;
        InputName = inputName;
    }

    /// <summary>The name of the result in a job's folder.</summary>
    public const string ResultName = "colorized" + VideoFiles.OutputExtension;

    /// <summary>The order of arrival.</summary>
    public long Sequence { get; }

    /// <summary>The model the video is colorized with.</summary>
    public Colorizer.Core.Models.Catalogue.ColorModel Model => Snapshot.Settings.Model;

    /// <summary>The name of the job's folder (generated).</summary>
    public string Folder { get; }

    /// <summary>The job's folder, which holds its upload, its result and the segments of a result under way.</summary>
    public string FolderPath { get; }

    /// <summary>The upload's name in the folder.</summary>
    public string InputName { get; }

    /// <summary>The upload.</summary>
    public string InputPath => Path.Combine(FolderPath, InputName);

    /// <summary>Where the colorized MP4 goes.</summary>
    public string ResultPath => Path.Combine(FolderPath, ResultName);

    /// <summary>The upload's media type, from the extension of its name (which the service makes and the index checks).</summary>
    public string OriginalContentType => Path.GetExtension(InputName) switch
    {
        ".mp4" or ".m4v" => "video/mp4",
        ".mov" => "video/quicktime",
        ".webm" => "video/webm",
        ".mkv" => "video/x-matroska",
        ".avi" => "video/x-msvideo",
        _ => "application/octet-stream",
    };

    /// <summary>The job as its row keeps it.</summary>
    public StoredVideoJob ToStored() => new(Snapshot, Sequence, Folder, InputName);

    public string Id => Snapshot.Id;

    public VideoJobSnapshot Snapshot
    {
        get { lock (_lock) return _snapshot; }
    }

    /// <summary>Cancelled when the user cancels.</summary>
    public CancellationToken CancellationToken => _cancel.Token;

    /// <summary>Raised (from any thread, outside any lock) after every change, and once more when the job is removed.</summary>
    public event Action? Changed;

    /// <summary>Applies <paramref name="change"/> (null: no change) under the job's lock; returns whether it changed.</summary>
    public bool Update(Func<VideoJobSnapshot, VideoJobSnapshot?> change)
    {
        lock (_lock)
        {
            var next = change(_snapshot);
            if (next is null || next == _snapshot)
                return false;
            _snapshot = next;
        }
        RaiseChanged();
        return true;
    }

    public void RaiseChanged() => Changed?.Invoke();

    /// <summary>True while the runner has the job and it has not ended.</summary>
    public bool IsClaimedAndRunning
    {
        get { lock (_lock) return _claimed && !_snapshot.IsFinished; }
    }

    /// <summary>The runner takes the job; false when it was cancelled while it waited.</summary>
    public bool TryClaim()
    {
        lock (_lock)
        {
            if (_snapshot.State != VideoJobState.Queued || _cancel.IsCancellationRequested)
                return false;
            _claimed = true;
            return true;
        }
    }

    /// <summary>
    /// Cancels the job. One the runner has not taken yet ends at once (returns true); a running one stops at its next
    /// frame and the runner records the end.
    /// </summary>
    public bool Cancel(DateTimeOffset now, DateTimeOffset expiresAt)
    {
        bool endedNow = false;
        lock (_lock)
        {
            if (_snapshot.IsFinished)
                return false;
            if (!_claimed)
            {
                _snapshot = _snapshot with
                {
                    State = VideoJobState.Cancelled, Error = "Cancelled.", Note = null, JobsAhead = 0, FinishedAt = now, ExpiresAt = expiresAt,
                };
                endedNow = true;
            }
        }
        // Outside the lock: cancellation runs the running job's callbacks on this thread.
        _cancel.Cancel();
        if (endedNow)
            RaiseChanged();
        return endedNow;
    }
}
