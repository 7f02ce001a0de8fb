using System.Globalization;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>One line of a chart: its name in the legend, its colour (BGR) and its points.</summary>
internal sealed record ChartSeries(string Name, Scalar Color, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A line chart drawn with OpenCV on a white canvas: axes from zero with round ticks and labels, each series as
/// lines between circled points, and a legend. Written as PNG.
/// </summary>
internal sealed class LineChart(string title, string xLabel, string yLabel)
{
    private const int Width = 960, Height = 560;
    private const int Left = 90, Right = 30, Top = 60, Bottom = 70;
    private const HersheyFonts Font = HersheyFonts.HersheySimplex;
    private static readonly Scalar Ink = new(40, 40, 40);
    private static readonly Scalar Grid = new(225, 225, 225);

    public void Write(string path, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.Points).ToArray();
        if (points.Length == 0)
            throw new ArgumentException("Nothing to plot.", nameof(series));
        double xStep = NiceStep(points.Max(p => p.X)), yStep = NiceStep(points.Max(p => p.Y));
        double xMax = Math.Ceiling(points.Max(p => p.X) / xStep) * xStep, yMax = Math.Ceiling(points.Max(p => p.Y) * 1.05 / yStep) * yStep;

        using var canvas = new Mat(Height, Width, MatType.CV_8UC3, Scalar.White);
        Point At(double x, double y) => new(Left + (int)Math.Round(x / xMax * (Width - Left - Right)),
            Height - Bottom - (int)Math.Round(y / yMax * (Height - Top - Bottom)));

        for (double x = 0; x <= xMax + xStep / 2; x += xStep)
        {
            Cv2.Line(canvas, At(x, 0), At(x, yMax), Grid, 1);
            Cv2.Line(canvas, At(x, 0), At(x, 0) + new Point(0, 6), Ink, 1);
            Centered(canvas, Label(x, xStep), At(x, 0) + new Point(0, 24), 0.5);
        }
        for (double y = 0; y <= yMax + yStep / 2; y += yStep)
        {
            Cv2.Line(canvas, At(0, y), At(xMax, y), Grid, 1);
            Cv2.Line(canvas, At(0, y) - new Point(6, 0), At(0, y), Ink, 1);
            string text = Label(y, yStep);
            var size = Cv2.GetTextSize(text, Font, 0.5, 1, out _);
            Cv2.PutText(canvas, text, At(0, y) + new Point(-10 - size.Width, size.Height / 2), Font, 0.5, Ink, 1, LineTypes.AntiAlias);
        }
        Cv2.Line(canvas, At(0, 0), At(xMax, 0), Ink, 2);
        Cv2.Line(canvas, At(0, 0), At(0, yMax), Ink, 2);
        Centered(canvas, title, new Point(Width / 2, 34), 0.75, 2);
        Centered(canvas, xLabel, new Point(Left + (Width - Left - Right) / 2, Height - 18), 0.6);
        Cv2.PutText(canvas, yLabel, new Point(12, Top - 16), Font, 0.6, Ink, 1, LineTypes.AntiAlias);

        foreach (var line in series)
        {
            var ordered = line.Points.OrderBy(p => p.X).Select(p => At(p.X, p.Y)).ToArray();
            for (int i = 1; i < ordered.Length; i++)
                Cv2.Line(canvas, ordered[i - 1], ordered[i], line.Color, 2, LineTypes.AntiAlias);
            foreach (var point in ordered)
                Cv2.Circle(canvas, point, 5, line.Color, -1, LineTypes.AntiAlias);
        }

        // Legend, top left inside the plot area.
        var origin = new Point(Left + 20, Top + 10);
        int rowHeight = 24, legendWidth = series.Max(s => Cv2.GetTextSize(s.Name, Font, 0.55, 1, out _).Width) + 60;
        Cv2.Rectangle(canvas, new Rect(origin.X - 10, origin.Y - 4, legendWidth, rowHeight * series.Count + 8), Scalar.White, -1);
        Cv2.Rectangle(canvas, new Rect(origin.X - 10, origin.Y - 4, legendWidth, rowHeight * series.Count + 8), Grid, 1);
        for (int i = 0; i < series.Count; i++)
        {
            var row = origin + new Point(0, i * rowHeight + rowHeight / 2);
            Cv2.Line(canvas, row, row + new Point(30, 0), series[i].Color, 2, LineTypes.AntiAlias);
            Cv2.Circle(canvas, row + new Point(15, 0), 5, series[i].Color, -1, LineTypes.AntiAlias);
            Cv2.PutText(canvas, series[i].Name, row + new Point(40, 6), Font, 0.55, Ink, 1, LineTypes.AntiAlias);
        }

        if (!Cv2.ImWrite(path, canvas, [(int)ImwriteFlags.PngCompression, 9]))
            throw new InvalidOperationException($"OpenCV could not write {path}.");
    }

    private static void Centered(Mat canvas, string text, Point centre, double scale, int thickness = 1)
    {
        var size = Cv2.GetTextSize(text, Font, scale, thickness, out _);
        Cv2.PutText(canvas, text, centre - new Point(size.Width / 2, 0), Font, scale, Ink, thickness, LineTypes.AntiAlias);
    }

    /// <summary>A step of 1, 2 or 5 × 10^k giving 4 to 10 ticks up to <paramref name="max"/>.</summary>
    private static double NiceStep(double max)
    {
        if (max <= 0)
            return 1;
        double raw = max / 6, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double unit = raw / magnitude;
        return magnitude * (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10);
    }

    private static string Label(double value, double step) =>
        value.ToString(step >= 1 ? "0" : step >= 0.1 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
}
