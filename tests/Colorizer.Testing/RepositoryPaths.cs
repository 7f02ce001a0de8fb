namespace Colorizer.Testing;

/// <summary>Folders of the repository the tests run from.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository's root: the first folder above the test's binaries that holds <c>Colorizer.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The <c>dotnet</c> host running the tests, to start the repository's builds as child processes with an empty
    /// environment (where no PATH would find it); plain <c>dotnet</c> when the tests run otherwise.
    /// </summary>
    public static string DotnetHost { get; } =
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>
    /// A folder under <c>artifacts/</c> (ignored by git; created if needed): the one place tests write inside the
    /// repository, so a test run never changes tracked files.
    /// </summary>
    public static string Artifacts(params string[] parts) =>
        Directory.CreateDirectory(Path.Combine([Root, "artifacts", .. parts])).FullName;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Colorizer.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("Colorizer.sln not found above the test's folder.");
    }
}
