using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Onnx;
using Colorizer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Models.Onnx;

/// <summary>
/// The ONNX graph built from the Caffe files gives the logits OpenCV's DNN gives on the Caffe files themselves, for
/// every layer kind the release uses (with non-trivial batch-norm statistics, a dilated convolution and the
/// deconvolution), the release's full architecture, and every render size.
/// </summary>
public sealed class OnnxConversionTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData(128)]
    [InlineData(224)]
    [InlineData(320)]
    [InlineData(1024)]
    public async Task EveryReleaseLayerKind_GivesOpenCvsLogits_AtEveryRenderSize(int size)
    {
        var folder = WriteMiniNetwork(_work.File("mini"), seed: 3);
        var (onnx, openCv) = await BothAsync(folder.Directory, size, seed: size);

        Assert.Equal(openCv.Length, onnx.Length);
        Assert.True(MaxDifference(onnx, openCv) <= 1e-3, $"max |Δ| {MaxDifference(onnx, openCv)}");
        // The graph is not a trivial one: the logits vary across cells and bins.
        Assert.True(openCv.Max() - openCv.Min() > 1);
    }

    [Fact]
    public async Task TinyKnownAnswerModel_GivesItsBinThroughOnnx()
    {
        int bin = SyntheticModels.BinAt(20, 40);
        var folder = SyntheticModels.WriteTiny(_work.File("tiny"), TinyModel.ConstantBin(bin));
        var (onnx, openCv) = await BothAsync(folder.Directory, 224, seed: 1);

        Assert.True(MaxDifference(onnx, openCv) <= 1e-4);
        int cells = 56 * 56;
        for (int cell = 0; cell < cells; cell += 97)
        {
            int best = Enumerable.Range(0, NetworkDescription.BinCount).MaxBy(b => onnx[b * cells + cell]);
            Assert.Equal(bin, best);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task FullSizeReleaseArchitecture_GivesOpenCvsLogitsWithin1e2()
    {
        var folder = SyntheticModels.WriteFullSize(_work.File("full"), seed: 11);
        var (onnx, openCv) = await BothAsync(folder.Directory, 224, seed: 5);

        Assert.True(MaxDifference(onnx, openCv) <= 1e-2, $"max |Δ| {MaxDifference(onnx, openCv)}");
    }

    [Fact]
    public void BlobsThatDoNotFitTheDescription_AreRefusedNamingTheFileAndLayer()
    {
        var folder = WriteMiniNetwork(_work.File("wrong"), seed: 3, conv2Outputs: 16);
        var network = NetworkDescription.Parse(File.ReadAllText(folder.PrototxtPath), folder.PrototxtPath).WithoutDecodingTail();

        var error = Assert.Throws<ModelFilesException>(() => OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance));
        Assert.Contains(folder.WeightsPath, error.Message);
        Assert.Contains("layer 'conv2'", error.Message);
        Assert.Contains("8×8×3×3", error.Message); // what the description calls for
    }

    [Theory]
    [InlineData("group: 0", "group 0 does not divide")]
    [InlineData("group: 3", "group 3 does not divide")]
    public void AConvolutionGroupThatDoesNotDivideItsChannels_IsRefusedNamingTheLayer(string group, string expected)
    {
        var folder = WriteMiniNetwork(_work.File("group-" + group[^1]), seed: 3);
        string prototxt = File.ReadAllText(folder.PrototxtPath).Replace("num_output: 8 pad: 1 kernel_size: 3 stride: 2", "num_output: 8 pad: 1 kernel_size: 3 stride: 2 " + group, StringComparison.Ordinal);
        var network = NetworkDescription.Parse(prototxt, "grouped.prototxt");

        var error = Assert.Throws<ModelFilesException>(() => OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance));
        Assert.Contains("layer 'conv1'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ALayerTypeItCannotConvert_IsRefusedNamingTheDescription()
    {
        var folder = SyntheticModels.WriteTiny(_work.File("pool"), TinyModel.ConstantBin(5), includeDecodingTail: false);
        string prototxt = File.ReadAllText(folder.PrototxtPath).Replace(
            "layer {\n  name: \"conv8_313\"",
            "layer { name: \"pool\" type: \"Pooling\" bottom: \"data_l\" top: \"data_l\" }\nlayer {\n  name: \"conv8_313\"",
            StringComparison.Ordinal);
        Assert.Contains("Pooling", prototxt);
        var network = NetworkDescription.Parse(prototxt, "test.prototxt");

        var error = Assert.Throws<ModelFilesException>(() => OnnxColorizationNetwork.Load(network, folder.WeightsPath, 0, NullLogger.Instance));
        Assert.Contains("test.prototxt", error.Message);
        Assert.Contains("'Pooling'", error.Message);
    }

    private static async Task<(float[] Onnx, float[] OpenCv)> BothAsync(string directory, int size, int seed)
    {
        var values = new float[size * size];
        var random = new Random(seed);
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 100 - 50);
        using var input = Mat.FromPixelData(size, size, MatType.CV_32FC1, values).Clone();

        string prototxt = Path.Combine(directory, ModelFileNames.Prototxt);
        var network = NetworkDescription.Parse(File.ReadAllText(prototxt), prototxt).WithoutDecodingTail();
        using var onnx = OnnxColorizationNetwork.Load(network, Path.Combine(directory, ModelFileNames.Weights), 0, NullLogger.Instance);
        var fromOnnx = onnx.Forward(input);

        using var engine = ColorizationEngine.Load(directory);
        var fromOpenCv = await engine.PredictInputAsync(input, CancellationToken.None);
        return (Flatten(fromOnnx), Flatten(fromOpenCv));
    }

    private static float[] Flatten(ChromaPrediction prediction) =>
        [.. Enumerable.Range(0, NetworkDescription.BinCount).SelectMany(b => prediction.Logits(b).ToArray())];

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    /// <summary>
    /// A small network with every layer kind of the release: a strided convolution, an in-place ReLU, a BatchNorm with
    /// real statistics and a scale factor of 2.5, a dilated convolution, a deconvolution (kernel 4, stride 2, pad 1),
    /// and a 4×4 stride-4 convolution to the 313 logits, so any side that is a multiple of 8 works.
    /// </summary>
    private static SyntheticModelFolder WriteMiniNetwork(string directory, int seed, int conv2Outputs = 8)
    {
        var folder = new SyntheticModelFolder(Directory.CreateDirectory(directory).FullName);
        File.WriteAllText(folder.PrototxtPath, """
            name: "Mini"
            layer { name: "data_l" type: "Input" top: "data_l" input_param { shape { dim: 1 dim: 1 dim: 224 dim: 224 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data_l" top: "conv1" convolution_param { num_output: 8 pad: 1 kernel_size: 3 stride: 2 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "conv1norm" type: "BatchNorm" bottom: "conv1" top: "conv1norm" batch_norm_param { } }
            layer { name: "conv2" type: "Convolution" bottom: "conv1norm" top: "conv2" convolution_param { num_output: 8 kernel_size: 3 pad: 2 dilation: 2 } }
            layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
            layer { name: "up" type: "Deconvolution" bottom: "conv2" top: "up" convolution_param { num_output: 6 kernel_size: 4 pad: 1 stride: 2 } }
            layer { name: "relu3" type: "ReLU" bottom: "up" top: "up" }
            layer { name: "conv8_313" type: "Convolution" bottom: "up" top: "conv8_313" convolution_param { num_output: 313 kernel_size: 4 stride: 4 } }
            """);
        var random = new Random(seed);
        CaffeBlob Random(params int[] shape)
        {
            var data = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++)
                data[i] = (float)(random.NextDouble() * 0.4 - 0.2);
            return new CaffeBlob(shape, data);
        }
        CaffeBlob Positive(float scale, int count)
        {
            var data = new float[count];
            for (int i = 0; i < count; i++)
                data[i] = (float)(0.5 + random.NextDouble()) * scale;
            return new CaffeBlob([count], data);
        }
        using (var writer = new CaffeModelWriter(folder.WeightsPath))
        {
            writer.WriteLayer("conv1", "Convolution", Random(8, 1, 3, 3), Random(8));
            // Running sums times the factor, as Caffe stores them: mean ≈ 0.1–0.3, variance ≈ 0.5–1.5 once divided by 2.5.
            writer.WriteLayer("conv1norm", "BatchNorm", Positive(0.5f, 8), Positive(2.5f, 8), new CaffeBlob([1], new[] { 2.5f }));
            writer.WriteLayer("conv2", "Convolution", Random(conv2Outputs, 8, 3, 3), Random(conv2Outputs));
            writer.WriteLayer("up", "Deconvolution", Random(8, 6, 4, 4), Random(6));
            writer.WriteLayer("conv8_313", "Convolution", Random(313, 6, 4, 4), Random(313));
        }
        SyntheticModels.WriteBinCentres(folder.BinCentresPath);
        return folder;
    }
}
