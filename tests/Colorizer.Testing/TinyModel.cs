using Colorizer.Core.Models;

namespace Colorizer.Testing;

/// <summary>
/// The weights of a tiny colorization network with a known answer: one Convolution <c>conv8_313</c>, kernel 4,
/// stride 4, reading <c>data_l</c> (L − 50) and writing the 313 logits at a quarter of the input side. Every cell's
/// logits are an affine function of the mean of L − 50 over its 4×4 patch:
/// <c>logit[bin] = Bias[bin] + Slope[bin] · mean(L − 50)</c>.
/// </summary>
public sealed class TinyModel
{
    /// <summary>The kernel side and stride of the single convolution (the network's downsampling factor).</summary>
    public const int Kernel = 4;

    private readonly float[] _bias;
    private readonly float[] _slope;

    private TinyModel(float[] bias, float[] slope, string description)
    {
        _bias = bias;
        _slope = slope;
        Description = description;
    }

    /// <summary>What the model does, for test output.</summary>
    public string Description { get; }

    /// <summary>The constant part of each bin's logit.</summary>
    public IReadOnlyList<float> Bias => _bias;

    /// <summary>How much each bin's logit rises per unit of mean(L − 50).</summary>
    public IReadOnlyList<float> Slope => _slope;

    /// <summary>
    /// Logits that ignore the input and favour <paramref name="bin"/> by <paramref name="strength"/>: weights 0,
    /// bias[bin] = strength, 0 elsewhere. With the default 20 the annealed mean at T = 0.38 is bin
    /// <paramref name="bin"/>'s centre to within 1e-20; a small strength (e.g. 1.5) leaves a soft distribution
    /// whose annealed mean visibly depends on the temperature.
    /// </summary>
    public static TinyModel ConstantBin(int bin, float strength = 20f) =>
        ConstantLogits((bin, strength));

    /// <summary>Logits that ignore the input: the given bins get the given logits, every other bin 0.</summary>
    public static TinyModel ConstantLogits(params (int Bin, float Logit)[] logits)
    {
        var bias = new float[NetworkDescription.BinCount];
        foreach (var (bin, logit) in logits)
            bias[CheckBin(bin, nameof(logits))] = logit;
        string description = "constant logits " + string.Join(", ", logits.Select(l => $"bin {l.Bin} = {l.Logit}"));
        return new TinyModel(bias, new float[NetworkDescription.BinCount], description);
    }

    /// <summary>
    /// Logits that follow the lightness: <c>logit[bright] = slope · mean(L − 50)</c>,
    /// <c>logit[dark] = −slope · mean(L − 50)</c>, every other bin 0. Bright patches take bin
    /// <paramref name="brightBin"/>'s colour, dark ones bin <paramref name="darkBin"/>'s, and mid-grey (L = 50)
    /// patches the mean of all 313 centres.
    /// </summary>
    public static TinyModel LightnessDependent(int brightBin, int darkBin, float slope = 1f)
    {
        CheckBin(brightBin, nameof(brightBin));
        CheckBin(darkBin, nameof(darkBin));
        if (brightBin == darkBin)
            throw new ArgumentException("The bright and dark bins must differ.", nameof(darkBin));
        var slopes = new float[NetworkDescription.BinCount];
        slopes[brightBin] = slope;
        slopes[darkBin] = -slope;
        return new TinyModel(new float[NetworkDescription.BinCount], slopes, $"bright → bin {brightBin}, dark → bin {darkBin}, slope {slope}");
    }

    /// <summary>Any affine model: 313 biases and 313 slopes (per unit of mean(L − 50)).</summary>
    public static TinyModel Affine(ReadOnlySpan<float> bias, ReadOnlySpan<float> slope)
    {
        if (bias.Length != NetworkDescription.BinCount || slope.Length != NetworkDescription.BinCount)
            throw new ArgumentException($"Both spans need {NetworkDescription.BinCount} values.");
        return new TinyModel(bias.ToArray(), slope.ToArray(), "affine");
    }

    /// <summary>The 313 logits of a cell whose 4×4 patch has mean L − 50 equal to <paramref name="meanLMinus50"/>.</summary>
    public float[] Logits(float meanLMinus50)
    {
        var logits = new float[NetworkDescription.BinCount];
        for (int i = 0; i < logits.Length; i++)
            logits[i] = _bias[i] + _slope[i] * meanLMinus50;
        return logits;
    }

    /// <summary>The annealed-mean ab the engine should produce for such a cell at <paramref name="temperature"/>.</summary>
    public (double A, double B) ExpectedAb(float meanLMinus50, double temperature) =>
        SyntheticModels.AnnealedMean(Logits(meanLMinus50), temperature);

    /// <summary>The convolution weights, <c>[313, 1, 4, 4]</c>: each slope spread evenly over the patch.</summary>
    internal CaffeBlob WeightsBlob()
    {
        const int taps = Kernel * Kernel;
        var weights = new float[NetworkDescription.BinCount * taps];
        for (int bin = 0; bin < NetworkDescription.BinCount; bin++)
            weights.AsSpan(bin * taps, taps).Fill(_slope[bin] / taps);
        return new CaffeBlob([NetworkDescription.BinCount, 1, Kernel, Kernel], weights);
    }

    /// <summary>The convolution bias, <c>[313]</c>.</summary>
    internal CaffeBlob BiasBlob() => new([NetworkDescription.BinCount], _bias.ToArray());

    private static int CheckBin(int bin, string parameter) =>
        bin is >= 0 and < NetworkDescription.BinCount
            ? bin
            : throw new ArgumentOutOfRangeException(parameter, bin, $"A bin is 0..{NetworkDescription.BinCount - 1}.");

    /// <inheritdoc />
    public override string ToString() => Description;
}
