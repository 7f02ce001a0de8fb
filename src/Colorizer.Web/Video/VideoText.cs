using System.Globalization;
using Colorizer.Core.Video;

namespace Colorizer.Web.Video;

/// <summary>How the video page words numbers: progress, durations, sizes.</summary>
public static class VideoText
{
    /// <summary>"12 / 48 frames", or "12 frames" when the total is unknown.</summary>
    public static string Frames(int done, int total) => total > 0
        ? string.Create(CultureInfo.CurrentCulture, $"{done} / {total} frames")
        : string.Create(CultureInfo.CurrentCulture, $"{done} frames");

    /// <summary>
    /// "12 / 48 frames · 3.4 fps · ETA 0:12"; "ETA estimating…" while too few frames have been timed for an honest
    /// estimate (the engine gives none yet).
    /// </summary>
    public static string Progress(VideoProgress progress, int knownTotal)
    {
        int total = Math.Max(progress.TotalFrames, knownTotal);
        string text = Frames(progress.FramesDone, total) + string.Create(CultureInfo.CurrentCulture, $" · {progress.FramesPerSecond:0.0} fps");
        if (progress.Remaining is { } remaining)
        {
            if (remaining > TimeSpan.Zero)
                text += " · ETA " + Duration(remaining);
        }
        else if (total > progress.FramesDone)
        {
            text += " · ETA estimating…";
        }
        return text;
    }

    /// <summary>
    /// The stabilizer's effect in words: "colour steadiness: 4 % less flicker than frame by frame", from the mean
    /// frame-to-frame colour change without (<paramref name="raw"/>) and with (<paramref name="output"/>) it.
    /// </summary>
    public static string Steadiness(double raw, double output)
    {
        if (raw <= 1e-9)
            return "colour steadiness: the colours did not change from frame to frame";
        double change = (raw - output) / raw;
        int percent = (int)Math.Round(100 * Math.Abs(change));
        return percent == 0 ? "colour steadiness: the same flicker as frame by frame"
            : change > 0 ? string.Create(CultureInfo.CurrentCulture, $"colour steadiness: {percent} % less flicker than frame by frame")
            : string.Create(CultureInfo.CurrentCulture, $"colour steadiness: {percent} % more flicker than frame by frame");
    }

    /// <summary>"0:12", "4:05", "1:02:03".</summary>
    public static string Duration(TimeSpan span)
    {
        span = TimeSpan.FromSeconds(Math.Ceiling(Math.Max(0, span.TotalSeconds)));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}:{span.Seconds:00}");
    }

    /// <summary>"820 KB", "12.3 MB", "1.2 GB" (binary multiples).</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.CurrentCulture, $"{bytes / (double)(1L << 30):0.#} GB"),
        >= 1L << 20 => string.Create(CultureInfo.CurrentCulture, $"{bytes / (double)(1L << 20):0.#} MB"),
        >= 1L << 10 => string.Create(CultureInfo.CurrentCulture, $"{bytes / (double)(1L << 10):0} KB"),
        _ => string.Create(CultureInfo.CurrentCulture, $"{bytes} bytes"),
    };

    /// <summary>"1 hour", "90 minutes", "2 days".</summary>
    public static string Span(TimeSpan span) => VideoEndpoints.Describe(span);

    /// <summary>How a job is colorized, in a line: "DDColor · detail 256 px · saturation 1.20× · steady colour · key frames · repairs: dust, noise (50 %)".</summary>
    public static string Settings(VideoJobSettings settings)
    {
        var colorization = settings.Colorization;
        var parts = new List<string>
        {
            settings.Model.Name,
            $"detail {colorization.RenderSize} px",
            $"saturation {colorization.Saturation.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}×",
            settings.Stabilize ? "steady colour" : "frame by frame",
            settings.KeyFrames ? "key frames" : "network on every frame",
        };
        if (!colorization.Restoration.IsEmpty)
            parts.Add("repairs: " + colorization.Restoration.Describe());
        return string.Join(" · ", parts);
    }
}
