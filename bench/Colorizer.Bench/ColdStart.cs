using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Colorizer.Bench;

/// <summary>One cold run of the CLI: a new <c>dotnet colorizer.dll colorize</c> process for one image.</summary>
internal sealed record CliRun(string Label, double WallMs, double? ReportedItemSeconds, string LoadAverage);

/// <summary>Times <c>colorizer colorize</c> from process start to exit (time to the first result).</summary>
internal static partial class ColdStart
{
    /// <summary>The CLI built next to this benchmark (same configuration), or null if it is not there.</summary>
    public static string? FindCli(string? overridePath)
    {
        if (overridePath is not null)
            return File.Exists(overridePath) ? Path.GetFullPath(overridePath) : null;
        string? directory = typeof(ColdStart).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CliDirectory")?.Value;
        if (directory is null)
            return null;
        string dll = Path.Combine(directory, "colorizer.dll");
        return File.Exists(dll) ? dll : null;
    }

    public static async Task<CliRun> RunAsync(string cliDll, string label, string image, string modelsDirectory, string outputDirectory, params string[] extra)
    {
        if (Directory.Exists(outputDirectory))
            Directory.Delete(outputDirectory, recursive: true);
        string load = Load.Average();
        var (wall, lines) = await ChildProcess.RunAsync("dotnet",
            new[] { cliDll, "colorize", image, "--output", outputDirectory, "--models", modelsDirectory, "--offline", "--backend", BenchBackend.Name }
                .Concat(extra));
        string output = string.Join('\n', lines);

        var match = ItemTime().Match(output);
        double? item = match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        return new CliRun(label, wall, item, load);
    }

    [GeneratedRegex(@"\((\d+(?:\.\d+)?) s\)")]
    private static partial Regex ItemTime();
}
