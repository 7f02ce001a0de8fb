using System.Numerics.Tensors;
using Colorizer.Core.Models;
using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// The network's output for one image, kept with the result so that saturation (and, for a distribution,
/// temperature) can change without another forward pass. Either a colour distribution, 313 logits for each cell of a
/// <see cref="Rows"/>×<see cref="Columns"/> grid (one cell per 4×4 input pixels, channel-major; about 4 MB at render
/// size 224) as the 2016 network gives, or a plain (a, b) grid as the DDColor and DeOldify models give.
/// </summary>
public sealed class ChromaPrediction
{
    private readonly float[] _logits;

    // The interleaved (a, b) grid of a model without a distribution; null for logits.
    private readonly float[]? _ab;

    internal ChromaPrediction(float[] logits, int rows, int columns, int renderSize)
    {
        if (logits.Length != NetworkDescription.BinCount * rows * columns)
            throw new ArgumentException("The logits do not match the grid.", nameof(logits));
        _logits = logits;
        Rows = rows;
        Columns = columns;
        RenderSize = renderSize;
    }

    private ChromaPrediction(float[] ab, int side, int renderSize)
    {
        _logits = [];
        _ab = ab;
        Rows = side;
        Columns = side;
        RenderSize = renderSize;
    }

    /// <summary>A prediction that is a colour at each cell, without a distribution: <paramref name="ab"/> interleaved (a, b), side × side.</summary>
    internal static ChromaPrediction FromAb(float[] ab, int side, int renderSize)
    {
        if (ab.Length != 2 * side * side)
            throw new ArgumentException("The (a, b) values do not match the grid.", nameof(ab));
        return new ChromaPrediction(ab, side, renderSize);
    }

    /// <summary>
    /// True when the prediction is a colour distribution (the 2016 network): the temperature and
    /// <see cref="LikelyBins"/> need one. False for models that predict one colour per cell.
    /// </summary>
    public bool HasDistribution => _ab is null;

    /// <summary>The raw values (the logits, channel-major, or the interleaved (a, b) grid), for <see cref="ChromaPredictionFile"/>.</summary>
    internal float[] Values => _ab ?? _logits;

    /// <summary>The size of the kept values in bytes: what keeping this prediction costs in memory or on disk.</summary>
    public long SizeInBytes => (long)Values.Length * sizeof(float);

    /// <summary>Grid rows (render size / 4).</summary>
    public int Rows { get; }

    /// <summary>Grid columns (render size / 4).</summary>
    public int Columns { get; }

    /// <summary>The network input side that produced this prediction.</summary>
    public int RenderSize { get; }

    /// <summary>The logits of bin <paramref name="bin"/> over the grid, row-major (a distribution only).</summary>
    public ReadOnlySpan<float> Logits(int bin) =>
        HasDistribution ? _logits.AsSpan(bin * Cells, Cells) : throw new InvalidOperationException("This prediction has no distribution.");

    private int Cells => Rows * Columns;

    /// <summary>
    /// The annealed mean: for each cell, softmax(logits / <paramref name="temperature"/>) over the bins, times the bin
    /// centres, times <paramref name="saturation"/>. Returns a Rows×Columns CV_32FC2 Mat of (a, b); the caller owns it.
    /// Vectorised over the cells, one pass per bin, with no allocation per cell. Without a distribution the temperature
    /// has nothing to act on: the grid is the predicted (a, b) times the saturation.
    /// </summary>
    public Mat DecodeAb(BinCentres bins, double temperature, double saturation)
    {
        ColorizationOptions.ValidateTemperature(temperature);
        ColorizationOptions.ValidateSaturation(saturation);
        if (_ab is not null)
            return ScaledAb(saturation);
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

    private Mat ScaledAb(double saturation)
    {
        var ab = new Mat(Rows, Columns, MatType.CV_32FC2);
        unsafe
        {
            var destination = new Span<float>((void*)ab.Data, _ab!.Length);
            TensorPrimitives.Multiply(_ab, (float)saturation, destination);
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
        if (!HasDistribution)
            throw new InvalidOperationException("This prediction has no distribution to take likely colours from.");
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
