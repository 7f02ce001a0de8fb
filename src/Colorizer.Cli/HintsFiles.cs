using Colorizer.Core;
using Colorizer.Core.Guidance;

namespace Colorizer.Cli;

/// <summary>Hints files: the one given with <c>--hints</c>, and the sidecars next to images (<c>photo.hints.json</c> for <c>photo.jpg</c>).</summary>
internal static class HintsFiles
{
    /// <summary>What a sidecar's name adds to its image's name without extension.</summary>
    public const string SidecarSuffix = ".hints.json";

    /// <summary>The sidecar an image would have: <c>dir/photo.jpg</c> → <c>dir/photo.hints.json</c>.</summary>
    public static string SidecarFor(string image) =>
        Path.Combine(Path.GetDirectoryName(image) ?? "", Path.GetFileNameWithoutExtension(image) + SidecarSuffix);

    /// <summary>
    /// Reads and parses a hints file. Throws <see cref="InvalidHintsException"/> whose message starts with the path and
    /// says what is wrong (missing, unreadable, too large, not valid hints).
    /// </summary>
    public static IReadOnlyList<ColorHint> Read(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new InvalidHintsException($"{path}: no such hints file.");
            if (info.Length > HintsJson.MaxBytes)
                throw new InvalidHintsException($"{path}: the hints file is {info.Length:N0} bytes; at most {HintsJson.MaxBytes:N0} are accepted.");
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidHintsException($"{path}: the hints file cannot be read: {ex.Message}", ex);
        }
        try
        {
            return HintsJson.Parse(text);
        }
        catch (InvalidHintsException ex)
        {
            throw new InvalidHintsException($"{path}: {ex.Message}", ex);
        }
    }
}
