using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Video;

/// <summary>Video jobs of the web app, bound from the <c>Video</c> section and validated at start.</summary>
public sealed class VideoJobOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Video";

    /// <summary>The largest video accepted, in bytes; default 500 MB (photos have their own, smaller limit).</summary>
    [Range(1, 1L << 40)]
    public long MaxFileBytes { get; set; } = 500L * 1024 * 1024;

    /// <summary>
    /// Where the jobs are kept, across restarts: <c>jobs.db</c> (an SQLite index), <c>jobs.lock</c> and a folder per
    /// job with its upload, its result and its finished segments; default <c>&lt;temp&gt;/colorizer-videos</c>. One
    /// app per folder: a second app on the same folder refuses to start. (Not inside the app's folder for short-lived
    /// temporary files, whose sweep deletes anything older than a few minutes: a video job may run for hours.)
    /// </summary>
    public string? StorageDirectory { get; set; }

    /// <summary>
    /// The length of the segments a job is encoded in, in seconds of video (1–60; default 4): after a restart a job
    /// carries on from its last finished segment, so at most this much is done twice.
    /// </summary>
    [Range(1.0, 60.0)]
    public double SegmentSeconds { get; set; } = 4;

    /// <summary>How long a finished, failed or cancelled job (and its files) is kept; default one hour.</summary>
    public TimeSpan RetainFinishedFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often expired jobs are looked for; default one minute.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Videos that may wait (uploading or queued) behind the one running; beyond that uploads are refused. Default 10.</summary>
    [Range(1, 10_000)]
    public int MaxQueuedJobs { get; set; } = 10;

    /// <summary>The storage folder with the default filled in.</summary>
    public string ResolvedStorageDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(StorageDirectory)
        ? Path.Combine(Path.GetTempPath(), "colorizer-videos")
        : StorageDirectory);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetainFinishedFor <= TimeSpan.Zero || RetainFinishedFor > TimeSpan.FromDays(365))
            yield return new ValidationResult("Video:RetainFinishedFor must be more than zero and at most 365 days.", [nameof(RetainFinishedFor)]);
        if (CleanupInterval <= TimeSpan.Zero || CleanupInterval > TimeSpan.FromDays(1))
            yield return new ValidationResult("Video:CleanupInterval must be more than zero and at most a day.", [nameof(CleanupInterval)]);
        if (StorageDirectory is { } directory && directory.Length > 0 && directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            yield return new ValidationResult("Video:StorageDirectory is not a valid path.", [nameof(StorageDirectory)]);
    }
}
