using System.Diagnostics;
using System.Globalization;
using System.Text;
using Colorizer.Core.Restoration;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>One photo's restoration timings: the median milliseconds of each step on its own.</summary>
internal sealed record RestorationResult(string Label, int Width, int Height, IReadOnlyList<(RestorationSteps Step, List<double> Times)> Steps, string LoadAverage);

/// <summary>
/// Each repair step's cost on the benchmark's grey photo (film grain included), at strength 0.5, in this process.
/// No model is involved: the steps run before the network.
/// </summary>
internal static class RestorationBench
{
    private static readonly RestorationSteps[] Steps = [RestorationSteps.Dust, RestorationSteps.Scratches, RestorationSteps.Noise, RestorationSteps.Contrast];

    public static List<RestorationResult> Run(IReadOnlyList<(string Label, int Width, int Height)> sizes, int seed, bool quick)
    {
        int samples = quick ? 1 : 3;
        var results = new List<RestorationResult>();
        foreach (var (label, width, height) in sizes)
        {
            using var photo = PhotoGenerator.Grey(width, height, seed);
            // The first call of each step pays for JIT and OpenCV's first allocations; it is not counted.
            using (var small = new Mat(photo, new Rect(0, 0, 256, 256)))
            {
                foreach (var step in Steps)
                    PhotoRestorer.Restore(small, step, RestorationOptions.DefaultStrength).Dispose();
            }
            string load = Load.Average();
            var times = new List<(RestorationSteps, List<double>)>();
            foreach (var step in Steps)
            {
                var runs = new List<double>();
                for (int i = 0; i < samples; i++)
                {
                    var clock = Stopwatch.StartNew();
                    PhotoRestorer.Restore(photo, step, RestorationOptions.DefaultStrength).Dispose();
                    runs.Add(clock.Elapsed.TotalMilliseconds);
                }
                Console.Error.WriteLine($"  restoration {label} {step}: {Stats.Median(runs):0} ms");
                times.Add((step, runs));
            }
            results.Add(new RestorationResult(label, width, height, times, load));
        }
        return results;
    }

    public static string Markdown(IReadOnlyList<RestorationResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("## Restoration (repair before colour)");
        text.AppendLine();
        text.AppendLine("Each repair step on its own ([restoration.md](restoration.md)), at strength 0.5, on the benchmark's grey photo with its " +
            $"film grain, in the bench process; the median of {(results.Count > 0 ? results[0].Steps[0].Times.Count : 0)} runs after a warm-up on a " +
            "small crop. Each time includes the step's noise estimate and its copies. The machine is shared: the load average is the one at the start.");
        text.AppendLine();
        text.AppendLine("| photo | dust | scratches | noise | contrast | load avg |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var cells = string.Join(" | ", r.Steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{Stats.Median(s.Times):0} ms")));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} ({r.Width}×{r.Height}) | {cells} | {r.LoadAverage} |");
        }
        return text.ToString();
    }
}
