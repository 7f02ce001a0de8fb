using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Onnx;
using Colorizer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Models.Onnx;

/// <summary>
/// The INT8 network stays close to the FP32 one. What "close" means for the real weights cannot be measured here (they
/// cannot be downloaded): the generated ones make the softmax nearly one-hot, so these bounds say the quantization is
/// built right (the graph runs, the scales and zero points are sane), not how the release's colours change.
/// </summary>
public sealed class Int8QuantizationTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public void FullSizeNetwork_InInt8_KeepsTheDecodedColorNearFp32()
    {
        var folder = SyntheticModels.WriteFullSize(_work.File("full"), seed: 11);
        var network = NetworkDescription.Release;
        using var input = PhotoLikeInput(224);
        using var fp32 = OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance);
        using var int8 = OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance, InferencePrecision.Int8);
        Assert.EndsWith("(INT8)", int8.Runtime);

        var exact = fp32.Forward(input);
        var quantized = int8.Forward(input);
        // The likeliest bin, cell by cell: with these nearly one-hot softmaxes a flip moves the colour a whole bin.
        int cells = exact.Rows * exact.Columns, same = 0;
        for (int cell = 0; cell < cells; cell++)
        {
            int Top(ChromaPrediction p) => Enumerable.Range(0, NetworkDescription.BinCount).MaxBy(bin => p.Logits(bin)[cell]);
            if (Top(exact) == Top(quantized))
                same++;
        }
        double agreement = same / (double)cells;
        using var abExact = exact.DecodeAb(BinCentres.Release, ColorizationOptions.DefaultTemperature, 1);
        using var abQuantized = quantized.DecodeAb(BinCentres.Release, ColorizationOptions.DefaultTemperature, 1);
        using var difference = new Mat();
        Cv2.Absdiff(abExact, abQuantized, difference);
        double mean = Cv2.Mean(difference).Val0 + Cv2.Mean(difference).Val1;
        // A wrong scale or zero point anywhere scrambles the logits: the top bin then agrees in a few percent of cells
        // (1 in 313 by chance) and the colour moves by tens. Measured here: see docs/benchmarks.md.
        Assert.True(agreement > 0.75, $"top bin the same in {agreement:P1} of cells; mean |Δa| + |Δb| = {mean:0.00}");
        Assert.True(mean < 20, $"mean |Δa| + |Δb| = {mean:0.00}; top bin the same in {agreement:P1} of cells");
    }

    [Fact]
    public void MiniNetwork_InInt8_GivesLogitsNearFp32()
    {
        var folder = SyntheticModels.WriteTiny(_work.File("tiny"), TinyModel.LightnessDependent(SyntheticModels.BinAt(20, 40), SyntheticModels.BinAt(-10, -40), slope: 0.08f), includeDecodingTail: false);
        var network = NetworkDescription.Parse(File.ReadAllText(folder.PrototxtPath), folder.PrototxtPath);
        using var input = PhotoLikeInput(224);
        // The tiny network's only convolution gives the logits, which stay in float: the graph is FP32 in all but name,
        // so the two must agree exactly (this guards the graph plumbing of the INT8 builder).
        using var fp32 = OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance);
        using var int8 = OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance, InferencePrecision.Int8);
        var a = fp32.Forward(input);
        var b = int8.Forward(input);
        for (int bin = 0; bin < NetworkDescription.BinCount; bin += 31)
            Assert.Equal(a.Logits(bin).ToArray(), b.Logits(bin).ToArray());
    }

    [Fact]
    public void Int8_OnTheOpenCvBackend_IsRefused()
    {
        var folder = SyntheticModels.WriteTiny(_work.File("refused"), TinyModel.ConstantBin(3));
        var error = Assert.Throws<ArgumentException>(() => ColorizationEngine.Load(folder.Directory, backend: InferenceBackend.OpenCv, precision: InferencePrecision.Int8));
        Assert.Contains("ONNX", error.Message);
        var options = new ColorizerOptions { Backend = InferenceBackend.OpenCv, Precision = InferencePrecision.Int8 };
        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Contains(results, r => r.ErrorMessage!.Contains("Colorizer:Precision int8 needs the onnx backend", StringComparison.Ordinal));
    }

    private static Mat PhotoLikeInput(int size)
    {
        var plane = Int8Quantization.CalibrationInputs().Skip(1).First();
        using var full = Mat.FromPixelData(224, 224, MatType.CV_32FC1, plane);
        var input = new Mat();
        Cv2.Resize(full, input, new Size(size, size));
        return input;
    }
}
