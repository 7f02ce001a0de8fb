namespace Colorizer.Web.Hosting;

/// <summary>
/// A lock file held open exclusively for as long as the app uses a storage folder, so that two apps never share one
/// (their sweeps would delete each other's work). The operating system lets go of it with the process, so a crash
/// leaves nothing to clean up by hand.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private readonly FileStream _file;

    private FolderLock(FileStream file) => _file = file;

    /// <summary>
    /// Takes <paramref name="lockName"/> in <paramref name="folder"/> (created when missing); throws
    /// <see cref="InvalidOperationException"/> naming <paramref name="setting"/> when another app holds it.
    /// </summary>
    public static FolderLock Take(string folder, string lockName, string what, string setting)
    {
        Directory.CreateDirectory(folder);
        try
        {
            return new FolderLock(new FileStream(Path.Combine(folder, lockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"The {what} folder {folder} is in use by another running Colorizer app (it holds {lockName}). " +
                $"Give each app a folder of its own ({setting}).", ex);
        }
    }

    /// <summary>Lets go of the lock (the file stays: deleting it could race with the next app taking it).</summary>
    public void Dispose() => _file.Dispose();
}
