namespace Colorizer.Core.Models;

/// <summary>Finds the models folder: an explicit folder wins, then <c>COLORIZER_MODELS</c>, then the default.</summary>
public static class ModelLocator
{
    /// <summary>The environment variable that names the models folder.</summary>
    public const string EnvironmentVariable = "COLORIZER_MODELS";

    /// <summary>
    /// The folder to use: <paramref name="explicitDirectory"/> (from <c>--models</c> or configuration) if given, else
    /// <c>COLORIZER_MODELS</c> if set, else <see cref="DefaultDirectory"/>. Always an absolute path.
    /// </summary>
    public static string Resolve(string? explicitDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
            return Path.GetFullPath(explicitDirectory);
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return Path.GetFullPath(fromEnvironment);
        return DefaultDirectory;
    }

    /// <summary>
    /// The repository's <c>models/</c> folder when running from a clone (found by walking up to <c>Colorizer.sln</c>),
    /// otherwise <c>~/.local/share/colorizer/models</c>.
    /// </summary>
    public static string DefaultDirectory => LazyDefault.Value;

    private static readonly Lazy<string> LazyDefault = new(() =>
        FindRepositoryModels(AppContext.BaseDirectory)
        ?? FindRepositoryModels(Environment.CurrentDirectory)
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "colorizer", "models"));

    private static string? FindRepositoryModels(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            string models = Path.Combine(directory.FullName, "models");
            if (File.Exists(Path.Combine(directory.FullName, "Colorizer.sln")) && Directory.Exists(models))
                return models;
        }
        return null;
    }
}
