using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Colorizer.Core.IO;
using Colorizer.Web.Hosting;

namespace Colorizer.Web.Video;

/// <summary>
/// The video jobs' storage folder: <c>jobs.db</c> (the <see cref="VideoJobIndex"/>), <c>jobs.lock</c> held for as long
/// as the app runs (one app per folder), and <c>jobs/&lt;folder&gt;/</c> per job with its upload, its result and the
/// segments of a result under way. Only names this class makes are ever deleted, so a storage folder set to a wrong
/// place loses nothing else.
/// </summary>
internal sealed partial class VideoStorage : IDisposable
{
    private const string IndexName = "jobs.db", LockName = "jobs.lock", JobsFolderName = "jobs";
    private readonly FolderLock _lock;
    private bool _disposed;

    private VideoStorage(string root, FolderLock folderLock, VideoJobIndex index)
    {
        Root = root;
        JobsDirectory = Path.Combine(root, JobsFolderName);
        _lock = folderLock;
        Index = index;
    }

    /// <summary>The storage folder.</summary>
    public string Root { get; }

    /// <summary>The folder that holds a folder per job.</summary>
    public string JobsDirectory { get; }

    /// <summary>The jobs' index.</summary>
    public VideoJobIndex Index { get; }

    /// <summary>
    /// Creates <paramref name="root"/> if needed and takes it (throws <see cref="InvalidOperationException"/> when
    /// another app holds it), opens the index, and removes the per-app folders an earlier version of the app kept there.
    /// </summary>
    public static VideoStorage Open(string root, out int leftoversRemoved)
    {
        var folderLock = FolderLock.Take(root, LockName, "video storage", "Video:StorageDirectory");
        try
        {
            Directory.CreateDirectory(Path.Combine(root, JobsFolderName));
            var index = VideoJobIndex.Open(Path.Combine(root, IndexName));
            leftoversRemoved = RemoveEarlierLayout(root);
            return new VideoStorage(root, folderLock, index);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>True for a name <see cref="NewFolder"/> makes.</summary>
    public static bool IsFolderName(string? name) => name is not null && FolderName().IsMatch(name);

    /// <summary>Creates a new, empty job folder and returns its name.</summary>
    public string NewFolder()
    {
        while (true)
        {
            string name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            string path = FolderPath(name);
            if (Directory.Exists(path))
                continue;
            Directory.CreateDirectory(path);
            return name;
        }
    }

    /// <summary>The full path of the job folder <paramref name="name"/>.</summary>
    public string FolderPath(string name) => IsFolderName(name)
        ? Path.Combine(JobsDirectory, name)
        : throw new ArgumentException("Not a job folder name.", nameof(name));

    /// <summary>Deletes the job folders that are not in <paramref name="used"/> (an upload or a job a crash cut short); returns how many.</summary>
    public int RemoveUnused(IReadOnlySet<string> used)
    {
        int removed = 0;
        foreach (var directory in new DirectoryInfo(JobsDirectory).EnumerateDirectories())
        {
            if (IsFolderName(directory.Name) && !used.Contains(directory.Name) && BestEffortDelete.Folder(directory.FullName))
                removed++;
        }
        return removed;
    }

    /// <summary>The bytes the job folders hold.</summary>
    public long BytesInUse()
    {
        try
        {
            return new DirectoryInfo(JobsDirectory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Sum(f => f.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }


    // Before jobs were kept across restarts, each app took a random folder (32 hex digits) and a lock file beside it.
    // This app holds the whole folder now, so none of those can be in use.
    private static int RemoveEarlierLayout(string root)
    {
        int removed = 0;
        foreach (var directory in new DirectoryInfo(root).EnumerateDirectories())
        {
            if (FolderName().IsMatch(directory.Name) && BestEffortDelete.Folder(directory.FullName))
                removed++;
        }
        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*.lock"))
        {
            if (FolderName().IsMatch(Path.GetFileNameWithoutExtension(file.Name)))
                BestEffortDelete.File(file.FullName);
        }
        return removed;
    }

    /// <summary>Closes the index and lets go of the folder; the jobs' files stay for the next start.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Index.Dispose();
        _lock.Dispose();
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex FolderName();
}
