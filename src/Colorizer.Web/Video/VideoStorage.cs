using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Colorizer.Web.Video;

/// <summary>
/// The files of this app's video jobs: a folder of its own inside the storage folder, held by an exclusively locked
/// <c>&lt;folder&gt;.lock</c> beside it for as long as the app runs. Folders whose lock nobody holds belong to an app
/// that crashed: they are removed when an app starts. Several apps (or test hosts) may share the storage folder, and
/// only names this class makes are ever deleted, so a storage folder set to a wrong place loses nothing else.
/// </summary>
internal sealed partial class VideoStorage : IDisposable
{
    private const string LockExtension = ".lock";
    private readonly FileStream _lock;
    private readonly string _lockPath;
    private bool _disposed;

    private VideoStorage(string root, string directory, string lockPath, FileStream lockStream)
    {
        Root = root;
        Directory = directory;
        _lockPath = lockPath;
        _lock = lockStream;
    }

    /// <summary>The shared storage folder.</summary>
    public string Root { get; }

    /// <summary>This app's own folder.</summary>
    public string Directory { get; }

    /// <summary>Leftovers removed when this storage was opened: folders and stray files.</summary>
    public int LeftoversRemoved { get; private init; }

    /// <summary>Creates <paramref name="root"/> if needed, removes what crashed apps left there, and takes a folder.</summary>
    public static VideoStorage Open(string root)
    {
        System.IO.Directory.CreateDirectory(root);
        int removed = RemoveLeftovers(root);
        while (true)
        {
            string name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            string lockPath = Path.Combine(root, name + LockExtension);
            FileStream lockStream;
            try
            {
                // Taken before the folder exists, so another app never sees the folder without its lock.
                lockStream = new FileStream(lockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                continue;
            }
            string directory = Path.Combine(root, name);
            System.IO.Directory.CreateDirectory(directory);
            return new VideoStorage(root, directory, lockPath, lockStream) { LeftoversRemoved = removed };
        }
    }

    /// <summary>A new path in this app's folder: a random stem plus <paramref name="suffix"/> (which must be safe).</summary>
    public string NewPath(string suffix) => Path.Combine(Directory, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + suffix);

    /// <summary>Deletes a file if it is there; never throws for a file that is gone or busy.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    // Folders (and lock files) named as Open names them, whose lock no running app holds.
    private static int RemoveLeftovers(string root)
    {
        int removed = 0;
        foreach (var directory in new DirectoryInfo(root).EnumerateDirectories())
        {
            if (!InstanceName().IsMatch(directory.Name))
                continue;
            if (TryRemoveInstance(root, directory.Name))
                removed++;
        }
        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*" + LockExtension))
        {
            string name = Path.GetFileNameWithoutExtension(file.Name);
            if (InstanceName().IsMatch(name) && !System.IO.Directory.Exists(Path.Combine(root, name)) && TryRemoveInstance(root, name))
                removed++;
        }
        return removed;
    }

    private static bool TryRemoveInstance(string root, string name)
    {
        string lockPath = Path.Combine(root, name + LockExtension);
        try
        {
            // Getting the lock means its app is gone (the operating system drops a lock with its process).
            using var probe = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            string directory = Path.Combine(root, name);
            if (System.IO.Directory.Exists(directory))
                System.IO.Directory.Delete(directory, recursive: true);
            File.Delete(lockPath);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Held by a running app, or not ours to delete.
            return false;
        }
    }

    /// <summary>Deletes this app's folder with everything in it, and lets go of the lock.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            if (System.IO.Directory.Exists(Directory))
                System.IO.Directory.Delete(Directory, recursive: true);
            File.Delete(_lockPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's clean-up.
        }
        finally
        {
            _lock.Dispose();
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex InstanceName();
}
