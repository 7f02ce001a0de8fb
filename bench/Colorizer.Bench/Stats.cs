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

    public static double Min(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Min();

    public static double Max(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Max();
}
