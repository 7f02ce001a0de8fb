using System.Globalization;
using System.Text.Json;
using OpenCvSharp.Dnn;

namespace Colorizer.Bench;

/// <summary>
/// The explore part: runs the explore child (render sizes, batches, threads), then each lower-precision target in a
/// child of its own, keeping OpenCV's warnings from that child's standard error for the report.
/// </summary>
internal static class ExploreBench
{
    /// <summary>OpenCV 4.9+ has DNN_TARGET_CPU_FP16 = 10; OpenCvSharp's enum may not name it.</summary>
    private const int CpuFp16 = 10;

    public static async Task<ExploreResult> RunAsync(string modelsDirectory, string photoPath, string work, bool quick,
        Func<string[], List<string>?, Task<int>> runChild)
    {
        int samples = 3;
        string json = Path.Combine(work, "explore.json");
        int code = await runChild(["--explore-one", modelsDirectory, photoPath, samples.ToString(CultureInfo.InvariantCulture), json], null);
        if (code != 0)
            throw new InvalidOperationException($"The explore child process exited with {code}.");
        var result = JsonSerializer.Deserialize<ExploreResult>(await File.ReadAllTextAsync(json))!;

        var targets = new List<(string Name, int Value)>();
        if (Enum.TryParse<Target>("OPENCL_FP16", out var openClFp16))
            targets.Add(("OPENCL_FP16", (int)openClFp16));
        targets.Add((Enum.IsDefined((Target)CpuFp16) ? ((Target)CpuFp16).ToString() : $"CPU_FP16 (`(Target){CpuFp16}`)", CpuFp16));
        foreach (var (name, value) in targets)
        {
            string path = Path.Combine(work, $"precision-{value}.json");
            var stderr = new List<string>();
            int exit = await runChild(["--precision-one", modelsDirectory, photoPath, name, value.ToString(CultureInfo.InvariantCulture),
                (quick ? 2 : samples).ToString(CultureInfo.InvariantCulture), path], stderr);
            PrecisionResult precision = exit == 0 && File.Exists(path)
                ? JsonSerializer.Deserialize<PrecisionResult>(await File.ReadAllTextAsync(path))!
                : new PrecisionResult { Name = name, TargetValue = value, Error = $"the child process exited with {exit} (crashed in native code)" };
            precision.Messages.AddRange(stderr.Where(IsOpenCvMessage).Distinct().Take(4));
            Console.Error.WriteLine($"  precision {name}: {(precision.Ran ? $"{Stats.Median(precision.Ms):0} ms, max |Δ| {precision.MaxAbsDiff:G3}" : precision.Error)}");
            result.Precision.Add(precision);
        }
        return result;
    }

    private static bool IsOpenCvMessage(string line) =>
        line.Contains("WARN", StringComparison.Ordinal) || line.Contains("ERROR", StringComparison.Ordinal) ||
        line.Contains("OpenCL", StringComparison.OrdinalIgnoreCase) || line.Contains("FP16", StringComparison.OrdinalIgnoreCase);
}
