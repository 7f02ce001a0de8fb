using Microsoft.Extensions.Logging;

namespace Colorizer.Core.Models.Catalogue;

/// <summary>An ONNX model file on disk and its published CRC-32, which a download saves beside it as <c>&lt;name&gt;.hash</c>.</summary>
internal static class OnnxModelFile
{
    /// <summary>
    /// Parses a <c>.hash</c> file's content: 8 hex digits (any case, surrounding white space allowed), returned in
    /// lowercase; null when it is not that.
    /// </summary>
    public static string? ParseHash(string text)
    {
        string hash = text.Trim();
        return hash.Length == 8 && hash.All(char.IsAsciiHexDigit) ? hash.ToLowerInvariant() : null;
    }

    /// <summary>
    /// Logs a warning when the published hash beside <paramref name="path"/> differs from the file's CRC-32 (the file
    /// is then used as custom weights), and says at Information when there is no hash to compare with.
    /// </summary>
    public static void WarnIfNotPublished(ColorModel model, string path, ILogger logger)
    {
        string hashPath = Path.Combine(Path.GetDirectoryName(path)!, model.HashFileName!);
        string? published = File.Exists(hashPath) ? ParseHash(File.ReadAllText(hashPath)) : null;
        if (published is null)
        {
            logger.LogInformation("{Path} has no published CRC-32 beside it ({HashFile}): it cannot be told from custom weights", path, model.HashFileName);
            return;
        }
        string actual = FileHash.ComputeCrc32(path);
        if (actual != published)
            logger.LogWarning("{Path} has CRC-32 {Hash}, not the published {Published}: using it as custom weights", path, actual, published);
    }
}
