namespace Colorizer.Core.IO;

/// <summary>
/// Deletes that may fail without harm: a leftover (a temporary file, a finished job's folder) that something still
/// holds open, or that the process may not delete, is left for the next sweep instead of failing the work around it.
/// </summary>
public static class BestEffortDelete
{
    /// <summary>Deletes a file if it is there; false (never throws) when it could not be.</summary>
    public static bool File(string path)
    {
        try
        {
            System.IO.File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes a folder with everything in it if it is there; false (never throws) when it could not be.</summary>
    public static bool Folder(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
