using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Colorization;

/// <summary>How long a gallery outlives its page, bound from the <c>Gallery</c> section.</summary>
public sealed class GalleryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gallery";

    /// <summary>How long a gallery (results, settings, hints) is kept after its last page closed; default 30 minutes. A reload within it gets everything back.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan KeepAfterDisconnect { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The most images one gallery holds; uploads beyond it are refused until some are removed. Default 100.</summary>
    [Range(1, 10_000)]
    public int MaxItems { get; set; } = 100;

    /// <summary>The most galleries kept with no page open; the longest closed goes first. Default 50.</summary>
    [Range(0, 10_000)]
    public int MaxDetached { get; set; } = 50;
}
