using System.Diagnostics;
using System.Reflection;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>Time of one stabilizer step in milliseconds: wall (median) and CPU (mean: the clock is too coarse per step), and how many steps were timed.</summary>
internal sealed record StabilizerTiming(int Steps, double WallMs, double CpuMs);

/// <summary>
/// Times the engine's own <c>ChromaStabilizer.Next</c> (internal to Colorizer.Core, reached by reflection as the image
/// part does for <c>LabPipeline</c>) on the network inputs of consecutive frames of a clip, with a random ab grid: the
/// per-frame cost of stabilization (Farneback flow at 224×224, remap and blend on the 56×56 grid) on its own.
/// </summary>
internal static class StabilizerCost
{
    private static readonly Assembly s_core = typeof(ColorizationEngine).Assembly;

    public static StabilizerTiming? Measure(string clipPath, int renderSize, double newWeight, double cutThreshold, int steps)
    {
        var stabilizerType = s_core.GetType("Colorizer.Core.Video.ChromaStabilizer");
        var next = stabilizerType?.GetMethod("Next", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Mat), typeof(Mat)]);
        var networkInput = s_core.GetType("Colorizer.Core.Colorization.LabPipeline")
            ?.GetMethod("NetworkInput", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(DecodedImage), typeof(int)])
            ?.CreateDelegate<Func<DecodedImage, int, Mat>>();
        if (stabilizerType is null || next is null || networkInput is null)
            return null;

        var inputs = new List<Mat>();
        using var ab = new Mat(renderSize / 4, renderSize / 4, MatType.CV_32FC2);
        Cv2.SetTheRNG(11);
        Cv2.Randu(ab, Scalar.All(-40), Scalar.All(40));
        try
        {
            using (var capture = new VideoCapture(clipPath, VideoCaptureAPIs.FFMPEG))
            using (var frame = new Mat())
            {
                while (inputs.Count < steps + 1 && capture.Read(frame) && !frame.Empty())
                {
                    Cv2.ImEncode(".png", frame, out byte[] png);
                    using var image = ImageDecoder.Decode(png, DecodeLimits.Default);
                    inputs.Add(networkInput(image, renderSize));
                }
            }

            var stabilizer = (IDisposable)Activator.CreateInstance(stabilizerType, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance,
                null, [newWeight, cutThreshold], null)!;
            using (stabilizer)
            {
                var wall = new List<double>();
                var cpuStart = TimeSpan.Zero;
                for (int i = 0; i < inputs.Count; i++)
                {
                    // The first step has no previous frame (no flow): not a representative step.
                    if (i == 1)
                        cpuStart = CpuTime();
                    var clock = Stopwatch.StartNew();
                    object result = next.Invoke(stabilizer, [inputs[i], ab])!;
                    double elapsed = clock.Elapsed.TotalMilliseconds;
                    ((Mat)result.GetType().GetField("Item1")!.GetValue(result)!).Dispose();
                    if (i > 0)
                        wall.Add(elapsed);
                }
                double cpu = wall.Count > 0 ? (CpuTime() - cpuStart).TotalMilliseconds / wall.Count : double.NaN;
                return new StabilizerTiming(wall.Count, Stats.Median(wall), cpu);
            }
        }
        finally
        {
            foreach (var input in inputs)
                input.Dispose();
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
