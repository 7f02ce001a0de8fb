using System.Diagnostics;
using System.Text.Json;

namespace Colorizer.Testing;

/// <summary>
/// Phil Harvey's exiftool (Debian's libimage-exiftool-perl, installed by <c>scripts/install-deps.sh --test</c>): it
/// writes the metadata of test inputs and reads back what Colorizer wrote, independently of Colorizer's own code.
/// </summary>
public static class ExifTool
{
    /// <summary>Runs exiftool with <paramref name="arguments"/>; throws with its error output when it fails.</summary>
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("exiftool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("exiftool did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("exiftool took more than a minute.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"exiftool {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        return output.Result;
    }

    /// <summary>
    /// Every tag of <paramref name="path"/> by group and name ("IFD0:Make", "GPS:GPSLatitude", "XMP-dc:Title"), as
    /// text, numbers unformatted (<c>-n</c>), duplicates kept apart by group (<c>-a -G1</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        using var json = JsonDocument.Parse(Run("-j", "-a", "-G1", "-n", "-struct", path));
        var tags = new Dictionary<string, string>();
        foreach (var property in json.RootElement[0].EnumerateObject())
            tags[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return tags;
    }
}
