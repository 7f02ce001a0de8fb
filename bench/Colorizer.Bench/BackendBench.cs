using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>
/// The two backends' outputs on the same input at one render size: logits element by element, and the decoded 8-bit
/// result (temperature 0.38, saturation 1, composed at the photo's full resolution) as PSNR and largest pixel difference.
/// </summary>
internal sealed record BackendDifference(int Size, double MaxAbsDiff, double MeanAbsDiff, double MaxAbsLogit,
    double Psnr, double MaxPixelDiff, double DifferingValuesShare);

/// <summary>Everything the backend part measured: every child's result, in the order they ran, and the differences.</summary>
internal sealed record BackendBenchResult
{
    public bool Quick { get; init; }
    public int Rounds { get; init; }
    public Dictionary<int, int> Passes { get; init; } = [];
    public List<BackendRunResult> Runs { get; init; } = [];
    public List<BackendDifference> Differences { get; init; } = [];
    public string LoadAverageStart { get; set; } = "";
    public string LoadAverageEnd { get; set; } = "";
    public double MachineBusyShare { get; set; } = double.NaN;
    public double ElapsedMs { get; set; }
    public string OrtVersion { get; init; } = "";
    public string OpenCvVersion { get; init; } = "";
    public string PhotoLabel { get; init; } = "";
    /// <summary>Whether ORT logged that the spinning variant's entry overwrote the shipped one.</summary>
    public bool SpinningOverrideLogged { get; set; }
}

/// <summary>
/// The backend part: OpenCV DNN against ONNX Runtime FP32 on the same synthetic full-size weights and the same input,
/// each (backend or option variant, render size) in a child process of its own, the children interleaved over a few
/// rounds and their samples pooled, so that other work on the shared machine falls on all of them alike.
/// </summary>
internal static class BackendBench
{
    public static readonly int[] Sizes = [224, 448];

    /// <summary>The render size the ORT option variants are measured at.</summary>
    public const int VariantSize = 224;

    public static async Task<BackendBenchResult> RunAsync(string modelsDirectory, string photoPath, string photoLabel, string work, bool quick,
        Func<string[], List<string>?, Task<int>> runChild)
    {
        var clock = Stopwatch.StartNew();
        var busyStart = CpuTicks.Read();
        var result = new BackendBenchResult
        {
            Quick = quick,
            Rounds = quick ? 2 : 3,
            Passes = new Dictionary<int, int> { [224] = quick ? 5 : 15, [448] = quick ? 3 : 6 },
            LoadAverageStart = Load.Average(),
            OrtVersion = OrtEnv.Instance().GetVersionString() ?? "?",
            OpenCvVersion = Cv2.GetVersionString() ?? "?",
            PhotoLabel = photoLabel,
        };

        // Per round: both backends at 224, the ORT option variants at 224, both backends at 448.
        var schedule = new List<(BackendVariant Variant, int Size)> { (BackendVariant.OpenCv, 224), (BackendVariant.Ort, 224), (BackendVariant.OrtInt8, 224) };
        schedule.AddRange(BackendVariant.OrtVariants.Skip(1).Select(v => (v, VariantSize)));
        schedule.AddRange([(BackendVariant.OpenCv, 448), (BackendVariant.Ort, 448), (BackendVariant.OrtInt8, 448)]);

        for (int round = 0; round < result.Rounds; round++)
        {
            Console.Error.WriteLine($"  round {round + 1} of {result.Rounds} (load avg {Load.Average()})");
            foreach (var (variant, size) in schedule)
            {
                bool keepLogits = round == 0 && BackendVariant.Backends.Contains(variant);
                string logits = keepLogits ? LogitsPath(work, variant, size) : "-";
                string json = Path.Combine(work, $"backend-{variant.Key}-{size}-{round}.json");
                var stderr = new List<string>();
                int code = await runChild(["--backend-one", modelsDirectory, photoPath, variant.Key, size.ToString(CultureInfo.InvariantCulture),
                    result.Passes[size].ToString(CultureInfo.InvariantCulture), logits, json], stderr);
                if (code != 0)
                    throw new InvalidOperationException($"The backend child for {variant.Key} at {size} exited with {code}.");
                // ORT says so when a tuned entry replaces the shipped one: the proof that the variant took effect.
                if (variant == BackendVariant.OrtSpinning && stderr.Any(l => l.Contains("allow_spinning", StringComparison.Ordinal) &&
                                                                             l.Contains("overwritten", StringComparison.Ordinal)))
                    result.SpinningOverrideLogged = true;
                result.Runs.Add(JsonSerializer.Deserialize<BackendRunResult>(await File.ReadAllTextAsync(json))!);
            }
        }

        using (var photo = ImageDecoder.Decode(await File.ReadAllBytesAsync(photoPath)))
        {
            foreach (int size in Sizes)
            {
                var difference = Compare(photo, size, LogitsPath(work, BackendVariant.OpenCv, size), LogitsPath(work, BackendVariant.Ort, size));
                Console.Error.WriteLine($"  difference @{size}: max |Δ logit| {difference.MaxAbsDiff:G3}, mean {difference.MeanAbsDiff:G3}, " +
                                        $"decoded PSNR {difference.Psnr:0.0} dB");
                result.Differences.Add(difference);
            }
        }

        result.MachineBusyShare = CpuTicks.BusyShare(busyStart, CpuTicks.Read());
        result.LoadAverageEnd = Load.Average();
        result.ElapsedMs = clock.Elapsed.TotalMilliseconds;
        return result;
    }

    private static string LogitsPath(string work, BackendVariant variant, int size) => Path.Combine(work, $"logits-{variant.Key}-{size}.bin");

    private static BackendDifference Compare(DecodedImage photo, int size, string openCvPath, string ortPath)
    {
        float[] openCv = ReadFloats(openCvPath), ort = ReadFloats(ortPath);
        if (openCv.Length != ort.Length)
            throw new InvalidOperationException($"At {size} OpenCV gave {openCv.Length} logits and ONNX Runtime {ort.Length}.");
        double max = 0, sum = 0, maxLogit = 0;
        for (int i = 0; i < openCv.Length; i++)
        {
            double diff = Math.Abs(openCv[i] - ort[i]);
            max = Math.Max(max, diff);
            sum += diff;
            maxLogit = Math.Max(maxLogit, Math.Abs(openCv[i]));
        }

        using var first = Decode(photo, openCv, size);
        using var second = Decode(photo, ort, size);
        using var absolute = new Mat();
        Cv2.Absdiff(first, second, absolute);
        using var flat = absolute.Reshape(1);
        flat.MinMaxLoc(out double _, out double maxPixel);
        double differing = (double)Cv2.CountNonZero(flat) / flat.Total();
        double psnr = maxPixel == 0 ? double.PositiveInfinity : Cv2.PSNR(first, second, 255);
        return new BackendDifference(size, max, sum / openCv.Length, maxLogit, psnr, maxPixel, differing);
    }

    // The logits decoded as the engine decodes them (annealed mean at the release temperature) and joined with the
    // photo's full-resolution lightness: the 8-bit BGR result a user would get.
    private static Mat Decode(DecodedImage photo, float[] logits, int size)
    {
        var prediction = new ChromaPrediction(logits, size / 4, size / 4, size);
        using var ab = prediction.DecodeAb(BinCentres.Release, 0.38, 1);
        return LabPipeline.Compose(photo, ab);
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
