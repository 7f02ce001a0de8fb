using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>docs/bench-time.png and docs/bench-memory.png: the image part's medians against megapixels.</summary>
internal static class BenchPlots
{
    public const string TimeFile = "bench-time.png";
    public const string MemoryFile = "bench-memory.png";

    private static readonly Scalar Blue = new(180, 100, 30);
    private static readonly Scalar Orange = new(30, 130, 240);
    private static readonly Scalar Green = new(60, 150, 60);
    private static readonly Scalar Grey = new(130, 130, 130);

    /// <summary>Writes both plots into <paramref name="directory"/>; false (nothing written) with fewer than two sizes.</summary>
    public static bool Write(IReadOnlyList<SizeResult> results, string directory)
    {
        if (results.Count < 2)
            return false;
        static double Megapixels(SizeResult r) => (double)r.Width * r.Height / 1e6;
        List<(double, double)> Points(Func<SizeResult, double> value) => results.Select(r => (Megapixels(r), value(r))).ToList();

        new LineChart("Time per image (median)", "megapixels", "seconds").Write(Path.Combine(directory, TimeFile),
        [
            new ChartSeries("whole pipeline (read, decode, colorize, PNG, write)", Blue, Points(r => Stats.Median(r.Whole) / 1000)),
            new ChartSeries("everything but the network (overhead)", Orange, Points(r => Stats.Median(r.Overhead) / 1000)),
            new ChartSeries("forward pass @224", Green, Points(r => Stats.Median(r.Forward) / 1000)),
        ]);
        new LineChart("Resident memory of the process", "megapixels", "MiB").Write(Path.Combine(directory, MemoryFile),
        [
            new ChartSeries("peak over all runs", Blue, Points(r => r.PeakAllRunsMiB)),
            new ChartSeries("peak with one image", Orange, Points(r => r.PeakFirstImageMiB)),
            new ChartSeries("warmed-up net (RSS)", Grey, Points(r => r.RssAfterWarmUpMiB)),
        ]);
        return true;
    }
}
