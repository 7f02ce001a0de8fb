using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Video;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>Time of one stabilizer step in milliseconds: wall (median) and CPU (mean: the clock is too coarse per step), and how many steps were timed.</summary>
internal sealed record StabilizerTiming(int Steps, double WallMs, double CpuMs);

/// <summary>
/// Times the engine's own <c>ChromaStabilizer.Next</c> (internal to Colorizer.Core, called directly: Core's internals
/// are visible to the bench) on the network inputs of consecutive frames of a clip, with a random ab grid: the per-frame
/// cost of stabilization (Farneback flow at 224×224, remap and blend on the 56×56 grid) on its own.
/// </summary>
internal static class StabilizerCost
{
    public static StabilizerTiming Measure(string clipPath, int renderSize, double newWeight, double cutThreshold, int steps)
    {
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
                    inputs.Add(LabPipeline.NetworkInput(image, renderSize));
                }
            }

            using (var stabilizer = new ChromaStabilizer(newWeight, cutThreshold))
            {
                var wall = new List<double>();
                var cpuStart = TimeSpan.Zero;
                for (int i = 0; i < inputs.Count; i++)
                {
                    // The first step has no previous frame (no flow): not a representative step.
                    if (i == 1)
                        cpuStart = CpuTime();
                    var clock = Stopwatch.StartNew();
                    var (blended, _) = stabilizer.Next(inputs[i], ab);
                    double elapsed = clock.Elapsed.TotalMilliseconds;
                    blended.Dispose();
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
