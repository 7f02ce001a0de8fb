using System.Diagnostics;
using System.Globalization;
using Colorizer.Testing;

namespace Colorizer.Cli.Tests;

/// <summary>Videos for the CLI's process tests: a panning clip with a sound track, and a file's duration.</summary>
internal static class CliVideos
{
    /// <summary>A grainy pan of <paramref name="frames"/> frames with a 440 Hz tone as long as the clip, as Matroska.</summary>
    public static string PanWithSound(TemporaryDirectory work, string name, int frames, int width, int height, double fps)
    {
        string silent = work.File(Path.GetFileNameWithoutExtension(name) + "-silent.avi");
        TestVideos.Write(silent, frames, width, height, fps, TestVideos.Panning(width, height, 1, 3));
        string clip = work.File(name);
        string seconds = (frames / fps).ToString("0.###", CultureInfo.InvariantCulture);
        TestVideos.Ffmpeg("-i", silent, "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}", "-map", "0:v", "-map", "1:a",
            "-c:v", "copy", "-c:a", "aac", clip);
        return clip;
    }

    /// <summary>The container's duration in seconds, from ffprobe.</summary>
    public static double Duration(string path)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
