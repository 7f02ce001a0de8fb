namespace Colorizer.Core.Video;

/// <summary>Which files are videos (by extension: a video's content cannot be sniffed as cheaply as an image's).</summary>
public static class VideoFiles
{
    /// <summary>The video extensions accepted.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v",
    };

    /// <summary>True when <paramref name="path"/> has a video extension.</summary>
    public static bool IsVideo(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Results are always MP4 (H.264), the format every browser and player takes.</summary>
    public const string OutputExtension = ".mp4";
}

/// <summary>The input is not a readable video: it cannot be opened, has no frames, or is truncated.</summary>
public sealed class InvalidVideoException(string message, Exception? inner = null) : ColorizerException(message, inner);
