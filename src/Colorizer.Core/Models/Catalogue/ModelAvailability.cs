namespace Colorizer.Core.Models.Catalogue;

/// <summary>Where a model's file stands.</summary>
public enum ModelFileStatus
{
    /// <summary>The file is not in the models folder.</summary>
    NotDownloaded,

    /// <summary>The file is being downloaded; see <see cref="ModelAvailability.DownloadFraction"/>.</summary>
    Downloading,

    /// <summary>The file is in the models folder; see <see cref="ModelAvailability.SizeBytes"/>.</summary>
    Downloaded,

    /// <summary>The last download or load failed; <see cref="ModelAvailability.FailureReason"/> says why.</summary>
    Failed,
}

/// <summary>A model of the catalogue and the state of its file, for a picker, the API and the CLI's list.</summary>
/// <param name="Model">The model.</param>
/// <param name="Status">Where its file stands.</param>
/// <param name="SizeBytes">The file's size when it is there.</param>
/// <param name="DownloadFraction">0–1 while downloading, when the size is known.</param>
/// <param name="FailureReason">Why the last download or load failed.</param>
/// <param name="Loaded">True while its network is loaded in this process.</param>
public sealed record ModelAvailability(
    ColorModel Model, ModelFileStatus Status, long? SizeBytes = null, double? DownloadFraction = null, string? FailureReason = null, bool Loaded = false);
