using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Colorization;

/// <summary>Upload limits of the page, bound from the <c>Upload</c> section.</summary>
public sealed class UploadOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Upload";

    /// <summary>The largest file accepted, in bytes; default 50 MB. At most the largest array .NET allocates (about 2 GB), since an upload is read into one.</summary>
    [Range(1, 2_147_483_591)]
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>How many files one drop or pick may hold; default 20.</summary>
    [Range(1, 200)]
    public int MaxFilesPerUpload { get; set; } = 20;

    /// <summary>The longest side of the on-page preview; the download is full resolution. Default 1280.</summary>
    [Range(64, 4096)]
    public int PreviewSide { get; set; } = 1280;

    /// <summary>
    /// How long an upload may go without a byte arriving before its card says it was interrupted (the page closed,
    /// the connection dropped); default 20 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00",
        ErrorMessage = "Upload:StallTimeout must be between 00:00:00.100 and 00:10:00.")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
