using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>What a generated clip shows.</summary>
internal enum SceneKind
{
    /// <summary>A still scene with fresh grain in every frame.</summary>
    StaticGrain,
    /// <summary>A still scene, the same pixels in every frame (only the encoder's noise differs).</summary>
    StaticClean,
    /// <summary>The scene moving left by a fixed number of whole pixels per frame, with fresh grain in every frame.</summary>
    Pan,
    /// <summary>A pan as <see cref="Pan"/> for the first half, then, from <see cref="ClipSpec.CutAt"/>, a pan over another scene.</summary>
    Cut,
}

/// <summary>A benchmark clip: what it shows, its size and length.</summary>
internal sealed record ClipSpec(SceneKind Kind, int Width, int Height, int Frames, int PanPixelsPerFrame, double Grain)
{
    public string FileName => $"clip-{Kind.ToString().ToLowerInvariant()}-{Width}x{Height}-{Frames}.mp4";

    /// <summary>Horizontal offset of frame <paramref name="index"/> into the wide scene: frame(i)(x) = scene(x + offset(i)).</summary>
    public int Offset(int index) => Kind is SceneKind.Pan or SceneKind.Cut ? index * PanPixelsPerFrame : 0;

    /// <summary>The first frame of the second scene of a <see cref="SceneKind.Cut"/> clip; −1 for the others.</summary>
    public int CutAt => Kind == SceneKind.Cut ? Frames / 2 : -1;
}

/// <summary>
/// Writes the benchmark's grey clips as H.264 MP4 through ffmpeg (what cameras and phones record), from the same
/// synthetic photo as the image benchmark: shading, hard edges, lines and its fixed σ = 5 texture noise, plus, per
/// frame, fresh Gaussian grain (seeded, so every run makes the same clips).
/// </summary>
internal static class VideoClips
{
    public const double FrameRate = 25;
    // Near-lossless, so the grain survives the input encode.
    private const int InputCrf = 12;

    public static void Write(string ffmpeg, ClipSpec clip, string path, int seed)
    {
        int sceneWidth = clip.Width + clip.Offset(clip.Frames - 1);
        using var scene = PhotoGenerator.Grey(sceneWidth, clip.Height, seed);
        // The second scene of a cut: another generated photo, mirrored so that its layout differs too.
        using var other = clip.Kind == SceneKind.Cut ? PhotoGenerator.Grey(sceneWidth, clip.Height, seed + 1) : null;
        if (other is not null)
            Cv2.Flip(other, other, FlipMode.XY);
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", "gray", "-s", $"{clip.Width}x{clip.Height}",
            "-framerate", FrameRate.ToString(CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", InputCrf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", path,
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var buffer = new byte[clip.Width * clip.Height];
        using (var input = process.StandardInput.BaseStream)
        {
            for (int i = 0; i < clip.Frames; i++)
            {
                using var frame = Frame(other is not null && i >= clip.CutAt ? other : scene, clip, i, seed);
                System.Runtime.InteropServices.Marshal.Copy(frame.Data, buffer, 0, buffer.Length);
                input.Write(buffer);
            }
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg could not write {path}: {errors.Result}");
    }

    private static Mat Frame(Mat scene, ClipSpec clip, int index, int seed)
    {
        using var view = new Mat(scene, new Rect(clip.Offset(index), 0, clip.Width, clip.Height));
        var frame = view.Clone();
        if (clip.Kind != SceneKind.StaticClean && clip.Grain > 0)
        {
            using var grain = new Mat(clip.Height, clip.Width, MatType.CV_16SC1);
            Cv2.SetTheRNG((ulong)(seed * 100_003 + index + 1));
            Cv2.Randn(grain, Scalar.All(0), Scalar.All(clip.Grain));
            using var wide = new Mat();
            frame.ConvertTo(wide, MatType.CV_16SC1);
            Cv2.Add(wide, grain, wide);
            wide.ConvertTo(frame, MatType.CV_8UC1);
        }
        return frame;
    }
}
