using System.Diagnostics;
using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>Short videos made by the tests: static, slowly panning, with a scene cut; written with OpenCV.</summary>
public static class TestVideos
{
    /// <summary>
    /// Writes <paramref name="frames"/> grey frames made by <paramref name="frame"/> (index → 8-bit grey Mat the
    /// writer disposes) to <paramref name="path"/>: Motion-JPEG in .avi, MPEG-4 Part 2 in .mp4.
    /// </summary>
    public static void Write(string path, int frames, int width, int height, double fps, Func<int, Mat> frame)
    {
        var fourcc = Path.GetExtension(path).Equals(".avi", StringComparison.OrdinalIgnoreCase) ? FourCC.MJPG : FourCC.MP4V;
        using var writer = new VideoWriter(path, fourcc, fps, new Size(width, height), isColor: true);
        if (!writer.IsOpened())
            throw new InvalidOperationException($"OpenCV cannot write {path}.");
        using var bgr = new Mat();
        for (int i = 0; i < frames; i++)
        {
            using var grey = frame(i);
            Cv2.CvtColor(grey, bgr, ColorConversionCodes.GRAY2BGR);
            writer.Write(bgr);
        }
    }

    /// <summary>A flat grey level with fresh noise in every frame (like film grain), seeded.</summary>
    public static Func<int, Mat> NoisyFlat(int width, int height, byte level, double noise, int seed = 1) => i =>
    {
        var image = new Mat(height, width, MatType.CV_8UC1, Scalar.All(level));
        if (noise > 0)
            AddGrain(image, noise, seed * 1000 + i);
        return image;
    };

    /// <summary>A gradient scene moving <paramref name="pixelsPerFrame"/> to the left each frame, plus grain.</summary>
    public static Func<int, Mat> Panning(int width, int height, double pixelsPerFrame, double noise, int seed = 2) => i =>
    {
        using var wide = TestImages.Grey(width * 2, height);
        int offset = (int)Math.Round(i * pixelsPerFrame) % width;
        using var view = new Mat(wide, new Rect(offset, 0, width, height));
        var image = view.Clone();
        if (noise > 0)
            AddGrain(image, noise, seed * 1000 + i);
        return image;
    };

    // Gaussian grain from a seeded managed generator, so every run and machine makes the same video.
    private static void AddGrain(Mat image, double sigma, int seed)
    {
        int width = image.Cols, height = image.Rows;
        var random = new Random(seed);
        var values = new short[width * height];
        for (int i = 0; i < values.Length; i++)
        {
            double u = 1.0 - random.NextDouble(), v = random.NextDouble();
            values[i] = (short)Math.Round(sigma * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }
        using var grain = Mat.FromPixelData(height, width, MatType.CV_16SC1, values);
        using var shifted = new Mat();
        image.ConvertTo(shifted, MatType.CV_16SC1);
        Cv2.Add(shifted, grain, shifted);
        shifted.ConvertTo(image, MatType.CV_8UC1);
    }

    /// <summary>Frames of <paramref name="first"/> until <paramref name="cutAt"/>, then of <paramref name="second"/>.</summary>
    public static Func<int, Mat> Cut(Func<int, Mat> first, Func<int, Mat> second, int cutAt) => i => i < cutAt ? first(i) : second(i);

    /// <summary>Every frame of a video, as BGR Mats the caller disposes, and its frame rate.</summary>
    public static (List<Mat> Frames, double Fps) ReadAll(string path)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
            throw new InvalidOperationException($"Cannot open {path}.");
        var frames = new List<Mat>();
        while (true)
        {
            var frame = new Mat();
            if (!capture.Read(frame) || frame.Empty())
            {
                frame.Dispose();
                break;
            }
            frames.Add(frame);
        }
        return (frames, capture.Fps);
    }

    private static readonly string[] QuietFfmpeg = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"];

    /// <summary>Runs ffmpeg with the arguments (for muxing test audio); throws on failure.</summary>
    public static void Ffmpeg(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in QuietFfmpeg.Concat(arguments))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg failed: {errors}");
    }

    /// <summary>The number of audio streams ffprobe finds in <paramref name="path"/>.</summary>
    public static int AudioStreams(string path)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0", path })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
