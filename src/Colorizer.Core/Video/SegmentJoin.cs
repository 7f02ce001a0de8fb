using System.Diagnostics;
using System.Globalization;
using Colorizer.Core.IO;

namespace Colorizer.Core.Video;

/// <summary>Joins finished segments into one MP4 with ffmpeg's concat demuxer (stream copy), adding the original's audio.</summary>
internal static class SegmentJoin
{
    /// <summary>Joins into a temporary file beside <paramref name="final"/>, renamed to it only when complete.</summary>
    public static async Task JoinIntoAsync(string ffmpeg, IReadOnlyList<string> segments, string? audioSource, string final, CancellationToken ct)
    {
        string temporary = AtomicFile.TemporaryPathFor(final);
        try
        {
            await JoinAsync(ffmpeg, segments, audioSource, temporary, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            File.Move(temporary, final, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    private static async Task JoinAsync(string ffmpeg, IReadOnlyList<string> segments, string? audioSource, string output, CancellationToken ct)
    {
        // Beside the segments, which are deleted together once joined.
        string list = Path.Combine(Path.GetDirectoryName(segments[0])!, "concat.txt");
        // The concat demuxer's list: one quoted path a line, a quote inside a path escaped.
        var lines = segments.Select(s => "file '" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'").ToList();
        await File.WriteAllLinesAsync(list, lines, ct).ConfigureAwait(false);
        try
        {
            var arguments = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0", "-i", list };
            if (audioSource is not null)
                arguments.AddRange(["-i", audioSource, "-map", "0:v:0", "-map", "1:a:0?", "-c:a", "aac", "-b:a", "192k"]);
            arguments.AddRange(["-c:v", "copy", "-movflags", "+faststart", "-f", "mp4", output]);
            var start = new ProcessStartInfo(ffmpeg) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
            var errors = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            string reason = (await errors.ConfigureAwait(false)).Trim();
            if (process.ExitCode != 0)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"ffmpeg could not join the {segments.Count} segments (exit code {process.ExitCode}): {reason}"));
        }
        finally
        {
            File.Delete(list);
        }
    }
}
