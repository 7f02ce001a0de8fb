using System.Numerics.Tensors;
using Colorizer.Core.Models;
using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// The network's output for one image: 313 logits for each cell of a <see cref="Rows"/>×<see cref="Columns"/> grid
/// (one cell per 4×4 input pixels), channel-major. Kept with the result so that temperature and saturation can change
/// without another forward pass. About 4 MB at render size 224.
/// </summary>
public sealed class ChromaPrediction
{
    private readonly float[] _logits;

    internal ChromaPrediction(float[] logits, int rows, int columns, int renderSize)
    {
        if (logits.Length != NetworkDescription.BinCount * rows * columns)
            throw new ArgumentException("The logits do not match the grid.", nameof(logits));
        _logits = logits;
        Rows = rows;
        Columns = columns;
        RenderSize = renderSize;
    }

    /// <summary>Grid rows (render size / 4).</summary>
    public int Rows { get; }

    /// <summary>Grid columns (render size / 4).</summary>
    public int Columns { get; }

    /// <summary>The network input side that produced this prediction.</summary>
    public int RenderSize { get; }

    /// <summary>The logits of bin <paramref name="bin"/> over the grid, row-major.</summary>
    public ReadOnlySpan<float> Logits(int bin) => _logits.AsSpan(bin * Cells, Cells);

    private int Cells => Rows * Columns;

    /// <summary>
    /// The annealed mean: for each cell, softmax(logits / <paramref name="temperature"/>) over the bins, times the bin
    /// centres, times <paramref name="saturation"/>. Returns a Rows×Columns CV_32FC2 Mat of (a, b); the caller owns it.
    /// Vectorised over the cells, one pass per bin, with no allocation per cell.
    /// </summary>
    public Mat DecodeAb(BinCentres bins, double temperature, double saturation)
    {
        ColorizationOptions.ValidateTemperature(temperature);
        ColorizationOptions.ValidateSaturation(saturation);
        int cells = Cells;
        float inverseTemperature = (float)(1.0 / temperature);
        var max = new float[cells];
        var sum = new float[cells];
        var sumA = new float[cells];
        var sumB = new float[cells];
        var weight = new float[cells];

        Logits(0).CopyTo(max);
        for (int bin = 1; bin < NetworkDescription.BinCount; bin++)
            TensorPrimitives.Max(max, Logits(bin), max);

        var centresA = bins.AValues;
        var centresB = bins.BValues;
        for (int bin = 0; bin < NetworkDescription.BinCount; bin++)
        {
            // exp((z - max) / T): the max keeps exp in range at any temperature.
            TensorPrimitives.Subtract(Logits(bin), max, weight);
            TensorPrimitives.Multiply(weight, inverseTemperature, weight);
            TensorPrimitives.Exp(weight, weight);
            TensorPrimitives.Add(sum, weight, sum);
            TensorPrimitives.MultiplyAdd(weight, centresA[bin], sumA, sumA);
            TensorPrimitives.MultiplyAdd(weight, centresB[bin], sumB, sumB);
        }

        TensorPrimitives.Divide(sumA, sum, sumA);
        TensorPrimitives.Divide(sumB, sum, sumB);
        if (saturation != 1.0)
        {
            TensorPrimitives.Multiply(sumA, (float)saturation, sumA);
            TensorPrimitives.Multiply(sumB, (float)saturation, sumB);
        }

        var ab = new Mat(Rows, Columns, MatType.CV_32FC2);
        unsafe
        {
            var interleaved = new Span<float>((void*)ab.Data, cells * 2);
            for (int i = 0; i < cells; i++)
            {
                interleaved[2 * i] = sumA[i];
                interleaved[2 * i + 1] = sumB[i];
            }
        }
        return ab;
    }

    /// <summary>
    /// The <paramref name="count"/> most probable bins of one cell under the network's own distribution (softmax at
    /// temperature 1), as (a, b, probability). A bin within one bin spacing of a stronger pick is folded into it, so
    /// the list shows distinct colours.
    /// </summary>
    public IReadOnlyList<(double A, double B, double Probability)> LikelyBins(int row, int column, BinCentres bins, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns);
        int cell = row * Columns + column;
        var probabilities = new float[NetworkDescription.BinCount];
        for (int bin = 0; bin < probabilities.Length; bin++)
            probabilities[bin] = _logits[bin * Cells + cell];
        TensorPrimitives.SoftMax(probabilities, probabilities);
        var picks = new List<(double A, double B, double Probability)>();
        foreach (int bin in Enumerable.Range(0, probabilities.Length).OrderByDescending(b => probabilities[b]))
        {
            double a = bins.AValues[bin], b = bins.BValues[bin];
            int near = picks.FindIndex(p => Math.Abs(p.A - a) <= BinSpacing && Math.Abs(p.B - b) <= BinSpacing);
            if (near >= 0)
                picks[near] = picks[near] with { Probability = picks[near].Probability + probabilities[bin] };
            else if (picks.Count < count)
                picks.Add((a, b, probabilities[bin]));
        }
        return picks;
    }

    // The ab grid of the 313 bins is 10 units apart.
    private const double BinSpacing = 10;
}
