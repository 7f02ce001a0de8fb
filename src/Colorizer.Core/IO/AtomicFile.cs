namespace Colorizer.Core.IO;

/// <summary>
/// Writes files so that the final name only ever holds a complete file: the bytes go to a hidden temporary file in
/// the same folder, which is flushed and then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>The marker in the names of temporary files, so leftovers of a killed process can be recognised.</summary>
    public const string TemporaryMarker = ".colorizer-tmp";

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken ct = default)
    {
        await WriteAsync(path, (stream, token) => stream.WriteAsync(bytes, token).AsTask(), ct).ConfigureAwait(false);
    }

    /// <summary>Lets <paramref name="write"/> fill a temporary stream, then moves it to <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temporary = TemporaryPathFor(full);
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            ct.ThrowIfCancellationRequested();
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            BestEffortDelete.File(temporary);
            throw;
        }
    }

    /// <summary>A unique temporary name beside <paramref name="path"/>.</summary>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!,
            "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N")[..8] + TemporaryMarker);

    /// <summary>
    /// Deletes temporary files that a killed process left in <paramref name="directory"/>, if they have not been
    /// touched for <paramref name="olderThan"/> (a younger one may belong to another process writing there now).
    /// Returns how many were deleted.
    /// </summary>
    public static int CleanLeftovers(string directory, TimeSpan olderThan)
    {
        if (!Directory.Exists(directory))
            return 0;
        int deleted = 0;
        var cutoff = DateTime.UtcNow - olderThan;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*" + TemporaryMarker))
        {
            if (file.LastWriteTimeUtc < cutoff && BestEffortDelete.File(file.FullName))
                deleted++;
        }
        return deleted;
    }

}
