using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Colorization;

/// <summary>How galleries are kept, in memory and on disk; bound from the <c>Gallery</c> section and validated at start.</summary>
public sealed class GalleryOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gallery";

    /// <summary>
    /// How long a gallery stays in memory after its last page closed; default 30 minutes. A reload within it finds it
    /// there at once; after it, a reload finds it on disk (while <see cref="KeepOnDiskFor"/> allows).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan KeepAfterDisconnect { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The most images one gallery holds; uploads beyond it are refused until some are removed. Default 100.</summary>
    [Range(1, 10_000)]
    public int MaxItems { get; set; } = 100;

    /// <summary>The most galleries kept in memory with no page open; the longest closed goes first (it stays on disk). Default 50.</summary>
    [Range(0, 10_000)]
    public int MaxDetached { get; set; } = 50;

    /// <summary>
    /// Where galleries are written (an SQLite index, <c>galleries.db</c>, and a folder of files per gallery); default
    /// <c>&lt;temp&gt;/colorizer-galleries</c>. One running app per folder. In a cluster, a volume of the pod's own.
    /// </summary>
    public string? StorageDirectory { get; set; }

    /// <summary>How long a gallery is kept on disk after its last page closed; default 7 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan KeepOnDiskFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The most bytes of decoded photos, kept network outputs and previews not yet written held in memory across all
    /// galleries; default 192 MiB: one tab of twenty 12-megapixel photos then ends about 200 MB above the ready server
    /// (docs/operations.md), well within the Kubernetes pod's 2 GiB beside the work in flight. Beyond it the least recently used photos are dropped from memory and read back from disk when
    /// next needed.
    /// </summary>
    [Range(16L << 20, 1L << 40)]
    public long MemoryBudget { get; set; } = 192L << 20;

    /// <summary>
    /// The most bytes on disk for all galleries together (their photos' files and their previews in the index); default
    /// 20 GiB. The oldest closed galleries go first.
    /// </summary>
    [Range(1L << 20, 1L << 50)]
    public long DiskQuota { get; set; } = 20L << 30;

    /// <summary>
    /// The most bytes on disk for one gallery (its photos' files and their previews); default 2 GiB. A photo beyond it is
    /// colorized but not kept, and its card says so.
    /// </summary>
    [Range(1L << 20, 1L << 50)]
    public long DiskQuotaPerGallery { get; set; } = 2L << 30;

    /// <summary>The storage folder with the default filled in.</summary>
    public string ResolvedStorageDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(StorageDirectory)
        ? Path.Combine(Path.GetTempPath(), "colorizer-galleries")
        : StorageDirectory);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeepOnDiskFor < KeepAfterDisconnect)
            yield return new ValidationResult("Gallery:KeepOnDiskFor must not be shorter than Gallery:KeepAfterDisconnect.", [nameof(KeepOnDiskFor)]);
        if (DiskQuotaPerGallery > DiskQuota)
            yield return new ValidationResult("Gallery:DiskQuotaPerGallery must not be more than Gallery:DiskQuota.", [nameof(DiskQuotaPerGallery)]);
        if (StorageDirectory is { Length: > 0 } directory && directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            yield return new ValidationResult("Gallery:StorageDirectory is not a valid path.", [nameof(StorageDirectory)]);
    }
}
