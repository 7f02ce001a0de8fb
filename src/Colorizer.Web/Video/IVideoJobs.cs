namespace Colorizer.Web.Video;

/// <summary>The video jobs as the page sees them (implemented by <see cref="VideoJobService"/>).</summary>
public interface IVideoJobs
{
    /// <summary>The largest video accepted, in bytes.</summary>
    long MaxFileBytes { get; }

    /// <summary>How long finished jobs are kept.</summary>
    TimeSpan RetainFinishedFor { get; }

    /// <summary>The job's current state, or null when there is no such job (never was, or expired).</summary>
    VideoJobSnapshot? Find(string id);

    /// <summary>
    /// Calls <paramref name="changed"/> (from any thread) whenever the job changes, and once when it is removed; read
    /// the state again with <see cref="Find"/>. Null when there is no such job. Dispose the answer to stop.
    /// </summary>
    IDisposable? Watch(string id, Action changed);

    /// <summary>
    /// Saves an upload (<paramref name="content"/>, read to its end) and queues it. Throws
    /// <see cref="VideoJobRefusedException"/> with a reason for people when it is not accepted (not a video, too large,
    /// too many waiting, not readable as a video). <paramref name="received"/> hears the bytes saved so far.
    /// </summary>
    Task<VideoJobSnapshot> CreateAsync(string fileName, Stream content, IProgress<long>? received = null, CancellationToken ct = default);

    /// <summary>
    /// As the other <c>CreateAsync</c>, colorized as <paramref name="settings"/> say (model, render size, saturation,
    /// repairs, stabilization, key frames). Settings out of range throw
    /// <see cref="Core.InvalidColorizationOptionException"/> before anything is saved.
    /// </summary>
    Task<VideoJobSnapshot> CreateAsync(string fileName, Stream content, VideoJobSettings settings, IProgress<long>? received = null,
        CancellationToken ct = default);

    /// <summary>Cancels a queued or running job; false when there is no such job or it has already ended.</summary>
    bool Cancel(string id);

    /// <summary>
    /// Cancels the job if it has not ended, then forgets it and deletes its files at once (a running job's files go
    /// when it has stopped). False when there is no such job.
    /// </summary>
    bool Delete(string id);

    /// <summary>
    /// Frame <paramref name="frame"/> (0-based) of a finished job's original and result, scaled so the longer side is at
    /// most <paramref name="maxSide"/>, as JPEG; null when the job is not done or has no such frame.
    /// </summary>
    Task<VideoFramePair?> ReadFramesAsync(string id, int frame, int maxSide, CancellationToken ct = default);
}

/// <summary>One frame of the original and of the result, encoded for display.</summary>
/// <param name="Frame">The frame's index (0-based).</param>
/// <param name="Original">The original frame, encoded.</param>
/// <param name="Colorized">The colorized frame, encoded, the same size.</param>
/// <param name="ContentType">The encoding's media type.</param>
public sealed record VideoFramePair(int Frame, byte[] Original, byte[] Colorized, string ContentType)
{
    /// <summary>The original as a data URL.</summary>
    public string OriginalDataUrl => $"data:{ContentType};base64,{Convert.ToBase64String(Original)}";

    /// <summary>The result as a data URL.</summary>
    public string ColorizedDataUrl => $"data:{ContentType};base64,{Convert.ToBase64String(Colorized)}";
}

/// <summary>Why an upload was not accepted as a video job (the API answers each with its own status).</summary>
public enum VideoJobRefusal
{
    /// <summary>No reason given.</summary>
    Unspecified,

    /// <summary>The file name's extension is not one of the supported video formats.</summary>
    UnsupportedFormat,

    /// <summary>The file could not be opened as a video (damaged, or not a video at all).</summary>
    NotAVideo,

    /// <summary>The file is larger than <see cref="IVideoJobs.MaxFileBytes"/>.</summary>
    TooLarge,

    /// <summary>The file is empty.</summary>
    Empty,

    /// <summary>Too many videos are waiting already; trying again later can help.</summary>
    Busy,

    /// <summary>The server could not record the job (its storage is full or unwritable); trying again later may help.</summary>
    StorageFailed,
}

/// <summary>An upload was not accepted as a video job; the message says why, for people, and <see cref="Reason"/> for code.</summary>
public sealed class VideoJobRefusedException(string message, VideoJobRefusal reason, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>A refusal without a reason for code.</summary>
    public VideoJobRefusedException(string message, Exception? inner = null)
        : this(message, VideoJobRefusal.Unspecified, inner)
    {
    }

    /// <summary>Why it was refused.</summary>
    public VideoJobRefusal Reason { get; } = reason;
}
