namespace Colorizer.Bench;

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The nearest-rank percentile (0 to 100) of <paramref name="values"/>.</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Min(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Min();

    public static double Max(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Max();
}
