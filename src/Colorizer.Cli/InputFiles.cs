using Colorizer.Core.Imaging;
using Colorizer.Core.Video;

namespace Colorizer.Cli;

/// <summary>Expands the command line's files and folders into the images to process, and names their outputs.</summary>
internal static class InputFiles
{
    /// <summary>
    /// The image extensions picked up when searching a folder (videos too: see <see cref="VideoFiles"/>). A file named
    /// explicitly is tried whatever its name.
    /// </summary>
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".bmp", ".dib", ".tif", ".tiff",
    };

    /// <summary>Files (as given) and folders (searched recursively, in a stable order); paths that do not exist are returned apart.</summary>
    public static (List<string> Files, List<string> Missing) Collect(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                if (seen.Add(Path.GetFullPath(input)))
                    files.Add(input);
            }
            else if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden })
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f)) || VideoFiles.IsVideo(f))
                    .Order(StringComparer.Ordinal);
                foreach (var file in found)
                {
                    if (seen.Add(Path.GetFullPath(file)))
                        files.Add(file);
                }
            }
            else
            {
                missing.Add(input);
            }
        }
        return (files, missing);
    }

    /// <summary>
    /// The output format that follows an input's, judged by its content (not its name), by
    /// <see cref="OutputFormats.Following"/>. A file that cannot be read gets PNG; its error is reported when it is decoded.
    /// </summary>
    public static OutputFormat FollowingFormat(string path)
    {
        if (VideoFiles.IsVideo(path))
            return OutputFormat.Png;
        Span<byte> head = stackalloc byte[64];
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return OutputFormats.Following(ImageFormatDetector.Detect(head[..read]));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return OutputFormat.Png;
        }
    }

    /// <summary>
    /// <c>&lt;output&gt;/&lt;name without extension&gt;.&lt;format&gt;</c> for each input; when two inputs share a name
    /// (a.jpg and a.png, or two folders' a.jpg) the later ones get " (2)", " (3)"… so nothing is overwritten.
    /// </summary>
    public static IReadOnlyList<string> OutputPaths(IReadOnlyList<string> files, string outputDirectory, IReadOnlyList<OutputFormat> formats)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            string file = files[i];
            string stem = Path.GetFileNameWithoutExtension(file);
            string extension = VideoFiles.IsVideo(file) ? VideoFiles.OutputExtension : ImageEncoder.Extension(formats[i]);
            string candidate = Path.Combine(outputDirectory, stem + extension);
            for (int n = 2; !used.Add(candidate); n++)
                candidate = Path.Combine(outputDirectory, $"{stem} ({n}){extension}");
            paths.Add(candidate);
        }
        return paths;
    }
}
