using System.ComponentModel.DataAnnotations;

namespace Colorizer.Core;

/// <summary>The engine's settings, bound from the <c>Colorizer</c> configuration section and validated at start.</summary>
public sealed class ColorizerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Colorizer";

    /// <summary>
    /// The models folder. Unset: <c>COLORIZER_MODELS</c>, then the repository's <c>models/</c> or
    /// <c>~/.local/share/colorizer/models</c>.
    /// </summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>Download the release weights when they are missing; default true.</summary>
    public bool DownloadWeights { get; set; } = true;

    /// <summary>Run one forward pass at start, so the first user does not wait for OpenCV's first-pass setup; default true.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>The largest image accepted, in pixels; default 50 megapixels.</summary>
    [Range(1, 268_435_456)]
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>The longest side accepted, in pixels; default 16,384.</summary>
    [Range(1, 65_535)]
    public int MaxSide { get; set; } = 16_384;

    /// <summary>OpenCV's thread count; 0 leaves OpenCV's default (all cores).</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }
}
