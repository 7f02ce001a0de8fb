using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Hosting;

/// <summary>
/// The web app's own temporary files (today: the ZIP of a gallery while it is downloaded), all in one folder under
/// names the app makes up; an upload's name never reaches the file system. Each file is deleted when its stream is
/// closed; what a crash leaves behind is deleted at the next start, and a graceful stop deletes what is still open
/// (<see cref="TempFilesJanitor"/>).
/// </summary>
public sealed class AppTempFiles(IOptions<TempFilesOptions> options, ILogger<AppTempFiles> logger)
{
    private readonly ConcurrentDictionary<string, byte> _open = new(StringComparer.Ordinal);

    /// <summary>The folder.</summary>
    public string Directory { get; } = options.Value.ResolvedDirectory;

    /// <summary>Paths of the files this process has open.</summary>
    public IReadOnlyCollection<string> OpenFiles => [.. _open.Keys];

    /// <summary>
    /// A new, empty, read-write file in the folder, named <c>colorizer-&lt;random&gt;&lt;extension&gt;</c>, deleted when
    /// the stream is disposed.
    /// </summary>
    /// <param name="extension">The file's extension with its dot, such as <c>.zip</c>; letters and digits only.</param>
    public FileStream Create(string extension)
    {
        if (extension.Length is < 2 or > 8 || extension[0] != '.' || !extension.Skip(1).All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException("An extension such as '.zip' is expected.", nameof(extension));
        System.IO.Directory.CreateDirectory(Directory);
        string path = Path.Combine(Directory, $"colorizer-{Guid.NewGuid():N}{extension}");
        _open[path] = 0;
        try
        {
            return new TempFileStream(path, this);
        }
        catch
        {
            _open.TryRemove(path, out _);
            throw;
        }
    }

    /// <summary>Deletes files and folders in the folder last written before <paramref name="cutoffUtc"/>; returns how many.</summary>
    public int RemoveLeftovers(DateTime cutoffUtc)
    {
        var folder = new DirectoryInfo(Directory);
        if (!folder.Exists)
            return 0;
        int removed = 0;
        foreach (var entry in folder.EnumerateFileSystemInfos())
        {
            if (entry.LastWriteTimeUtc >= cutoffUtc || _open.ContainsKey(entry.FullName))
                continue;
            try
            {
                if (entry is DirectoryInfo directory)
                    directory.Delete(recursive: true);
                else
                    entry.Delete();
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "Could not delete the leftover temporary file {Path}", entry.FullName);
            }
        }
        return removed;
    }

    /// <summary>Deletes the files this process still has open (their streams keep working until closed); returns how many.</summary>
    public int RemoveOpenFiles()
    {
        int removed = 0;
        foreach (string path in _open.Keys)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                    removed++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "Could not delete the temporary file {Path}", path);
            }
        }
        return removed;
    }

    private void Closed(string path) => _open.TryRemove(path, out _);

    private sealed class TempFileStream(string path, AppTempFiles owner)
        : FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous)
    {
        private readonly string _path = path;

        protected override void Dispose(bool disposing)
        {
            try
            {
                base.Dispose(disposing);
            }
            finally
            {
                owner.Closed(_path);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await base.DisposeAsync();
            }
            finally
            {
                owner.Closed(_path);
            }
        }
    }
}

/// <summary>
/// At start, creates the app's temp folder and deletes what a crashed run left in it (entries not written for
/// <c>TempFiles:LeftoverAge</c>; younger ones may belong to another instance sharing the folder), then sweeps again every
/// minute (or every <c>LeftoverAge</c> when shorter), so a crash's leftovers go without waiting for the next start. At a
/// graceful stop, deletes the files this process still has open.
/// </summary>
internal sealed class TempFilesJanitor(AppTempFiles files, IOptions<TempFilesOptions> options, TimeProvider clock, ILogger<TempFilesJanitor> logger)
    : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Created up front, so ASP.NET's own upload buffers can be pointed here too (ASPNETCORE_TEMP, see the Dockerfile).
        Directory.CreateDirectory(files.Directory);
        Sweep();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var age = options.Value.LeftoverAge;
        using var timer = new PeriodicTimer(age < TimeSpan.FromMinutes(1) ? age : TimeSpan.FromMinutes(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Sweep();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sweep()
    {
        int removed = files.RemoveLeftovers(clock.GetUtcNow().UtcDateTime - options.Value.LeftoverAge);
        if (removed > 0)
            logger.LogInformation("Deleted {Count} leftover temporary files from {Directory}", removed, files.Directory);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        int removed = files.RemoveOpenFiles();
        if (removed > 0)
            logger.LogInformation("Deleted {Count} temporary files still open at shutdown from {Directory}", removed, files.Directory);
    }
}
