namespace Colorizer.Core.Models;

/// <summary>
/// The size and last write time of each of a models folder's three files (null for one that is absent): two stamps
/// differ when a file appeared, went, or was written to in between.
/// </summary>
internal readonly record struct ModelFilesStamp(
    (long Length, DateTime WrittenUtc)? Weights,
    (long Length, DateTime WrittenUtc)? Prototxt,
    (long Length, DateTime WrittenUtc)? BinCentres)
{
    /// <summary>Stamps the files in <paramref name="directory"/> as they are now.</summary>
    public static ModelFilesStamp Of(string directory) => new(
        Stamp(Path.Combine(directory, ModelFileNames.Weights)),
        Stamp(Path.Combine(directory, ModelFileNames.Prototxt)),
        Stamp(Path.Combine(directory, ModelFileNames.BinCentres)));

    private static (long, DateTime)? Stamp(string path)
    {
        // FileInfo answers "absent" rather than throwing for an unreadable folder, which is what a watcher wants.
        var file = new FileInfo(path);
        return file.Exists ? (file.Length, file.LastWriteTimeUtc) : null;
    }
}
