namespace Colorizer.Testing;

/// <summary>A fresh folder under the system temp folder, or under another, deleted on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    /// <summary>Creates the folder under the system temp folder.</summary>
    public TemporaryDirectory()
        : this(System.IO.Path.GetTempPath())
    {
    }

    /// <summary>Creates the folder under <paramref name="parent"/> (for example one of <see cref="RepositoryPaths.Artifacts"/>).</summary>
    public TemporaryDirectory(string parent)
    {
        Path = System.IO.Path.Combine(parent, "colorizer-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
