using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// Static INT8 quantization of the converted network, done by Colorizer itself (ORT's quantization tool is Python):
/// the FP32 graph is run on a fixed set of calibration inputs to measure every ReLU and BatchNorm output, then each
/// convolution that a ReLU follows becomes a <c>QLinearConv</c> with uint8 activations (the ReLU folded into the
/// output range, zero point 0), per-output-channel int8 weights and int32 bias; batch norm, the deconvolution and the
/// last convolution (the logits) stay in float between a <c>DequantizeLinear</c> and a <c>QuantizeLinear</c>.
/// </summary>
/// <remarks>
/// Weights use 7 bits (±63): on AVX2 without VNNI, ORT's u8×s8 kernels add pairs of products into 16 bits, and full
/// 8-bit weights can saturate there (255 × 127 × 2 &gt; 32,767). Calibration takes the largest value seen per tensor.
/// </remarks>
internal static class Int8Quantization
{
    // TensorProto.DataType: UINT8 = 2, INT8 = 3, INT32 = 6.
    private const int Uint8 = 2, Int8 = 3, Int32 = 6;
    private const int WeightLimit = 63;
    private const int CalibrationSize = 224;

    /// <summary>The range of the network input: L − 50 for L in [0, 100].</summary>
    private static readonly (float Min, float Max) InputRange = (-50f, 50f);

    /// <summary>
    /// Runs the FP32 model that exposes its activations (<paramref name="activations"/>: layer → output name) on the
    /// calibration inputs and returns each layer's output range.
    /// </summary>
    public static Dictionary<string, (float Min, float Max)> Calibrate(byte[] model, IReadOnlyDictionary<string, string> activations, int threads)
    {
        var ranges = activations.Keys.ToDictionary(k => k, _ => (Min: float.MaxValue, Max: float.MinValue), StringComparer.Ordinal);
        if (ranges.Count == 0)
            return ranges; // nothing to quantize (a network of one convolution: the logits, which stay in float)
        using var options = new SessionOptions { IntraOpNumThreads = threads, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        using var run = new RunOptions();
        var names = activations.ToList();
        string[] outputNames = [.. names.Select(n => n.Value)];
        foreach (float[] input in CalibrationInputs())
        {
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1, 1, CalibrationSize, CalibrationSize]);
            using var outputs = session.Run(run, [NetworkDescription.InputBlob], [inputValue], outputNames);
            for (int i = 0; i < names.Count; i++)
            {
                var values = outputs[i].GetTensorDataAsSpan<float>();
                var (min, max) = ranges[names[i].Key];
                foreach (float v in values)
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
                ranges[names[i].Key] = (min, max);
            }
        }
        return ranges;
    }

    /// <summary>
    /// Photo-like network inputs: smooth shading, soft blobs, hard edges and grain over the whole lightness range, from
    /// a fixed seed (the same calibration, and so the same model, on every start).
    /// </summary>
    internal static IEnumerable<float[]> CalibrationInputs()
    {
        var random = new Random(2016);
        for (int image = 0; image < 6; image++)
        {
            var plane = new float[CalibrationSize * CalibrationSize];
            double angle = random.NextDouble() * Math.PI, low = random.NextDouble() * 40, high = 60 + random.NextDouble() * 40;
            var blobs = Enumerable.Range(0, 5).Select(_ => (X: random.NextDouble(), Y: random.NextDouble(), R: 0.05 + random.NextDouble() * 0.2, L: random.NextDouble() * 100)).ToList();
            double edge = random.NextDouble();
            for (int y = 0; y < CalibrationSize; y++)
            {
                for (int x = 0; x < CalibrationSize; x++)
                {
                    double u = x / (double)CalibrationSize, v = y / (double)CalibrationSize;
                    double t = (u * Math.Cos(angle) + v * Math.Sin(angle) + 1) / 2;
                    double l = low + (high - low) * t;
                    foreach (var b in blobs)
                    {
                        double d = ((u - b.X) * (u - b.X) + (v - b.Y) * (v - b.Y)) / (b.R * b.R);
                        l += (b.L - l) * Math.Exp(-d);
                    }
                    if (image % 2 == 1 && u > edge)
                        l = 100 - l;
                    l += (random.NextDouble() - 0.5) * 6;
                    plane[y * CalibrationSize + x] = (float)(Math.Clamp(l, 0, 100) - 50);
                }
            }
            yield return plane;
        }
    }

    /// <summary>The INT8 model, built from the same description and blobs with the measured <paramref name="ranges"/>.</summary>
    public static byte[] Build(NetworkDescription network, IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> blobs, FileStream weights,
        IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        string weightsPath = weights.Name;
        OnnxGraphBuilder.CheckBlobs(network);
        var graph = new GraphWriter(weights);
        graph.String(2, (network.Name ?? "colorization") + "-int8");
        var values = new Dictionary<string, Value>(StringComparer.Ordinal);
        var channels = new Dictionary<string, long>(StringComparer.Ordinal);
        var fused = new HashSet<string>(StringComparer.Ordinal);
        int counter = 0;
        string Fresh(string hint) => $"{hint}#{counter++}";

        // A float value of the graph for a blob, dequantizing it if need be.
        string AsFloat(Value value)
        {
            if (!value.Quantized)
                return value.Name;
            string name = Fresh(value.Name + ".float");
            graph.Message(1, n => OnnxGraphBuilder.Node(n, name, "DequantizeLinear", [value.Name, value.Name + ".scale", value.Name + ".zero"], name, []));
            return name;
        }
        // A quantized value for a blob, quantizing a float one with its measured range.
        Value AsQuantized(Value value)
        {
            if (value.Quantized)
                return value;
            var (min, max) = value.RangeKey is null ? InputRange : ranges[value.RangeKey];
            var (scale, zero) = Asymmetric(min, max);
            string name = Fresh(value.Name + ".q");
            Constants(graph, name, scale, zero);
            graph.Message(1, n => OnnxGraphBuilder.Node(n, name, "QuantizeLinear", [value.Name, name + ".scale", name + ".zero"], name, []));
            return new Value(name, true, scale, zero, null);
        }

        for (int index = 0; index < network.Layers.Count; index++)
        {
            var layer = network.Layers[index];
            if (fused.Contains(layer.Name))
                continue;
            Value In(int i) => values.TryGetValue(layer.Bottoms[i], out var v) ? v
                : throw OnnxGraphBuilder.Unsupported(network, layer, $"its input '{layer.Bottoms[i]}' is not produced by an earlier layer");
            switch (layer.Type)
            {
                case "Input":
                {
                    string top = layer.Tops[0];
                    channels[top] = OnnxGraphBuilder.GraphInput(graph, layer);
                    values[top] = new Value(top, false, 0, 0, null);
                    break;
                }
                case "Convolution":
                {
                    long inChannels = channels[layer.Bottoms[0]];
                    var convolution = OnnxGraphBuilder.Convolution(network, layer, blobs, weightsPath, inChannels);
                    var (kernel, bias, outputs, attributes) = convolution;
                    string top = layer.Tops[0];
                    channels[top] = outputs;
                    var relu = index + 1 < network.Layers.Count ? network.Layers[index + 1] : null;
                    // Only an input whose range is known can be quantized: the network input, a calibrated activation, or an
                    // already quantized value (a deconvolution's or an unfolded convolution's output is not measured).
                    var source = In(0);
                    bool calibrated = source.Quantized || source.RangeKey is not null || source.Name == NetworkDescription.InputBlob;
                    bool foldRelu = calibrated && relu is { Type: "ReLU" } && relu.Bottoms.SequenceEqual([top]) && relu.Tops.SequenceEqual([top])
                        && relu.Parameters.Message("relu_param")?.Scalar("negative_slope") is null && ranges.ContainsKey(relu.Name);
                    if (!foldRelu)
                    {
                        // The logits (or an input whose range was not measured): kept in float.
                        string output = Fresh(top);
                        OnnxGraphBuilder.FloatConvolution(graph, layer, convolution, AsFloat(source), output);
                        values[top] = new Value(output, false, 0, 0, null);
                        break;
                    }
                    fused.Add(relu!.Name);
                    var x = AsQuantized(source);
                    float[] w = kernel.Read(weights);
                    float[] b = bias?.Read(weights) ?? new float[outputs];
                    int perChannel = (int)(w.Length / outputs);
                    var wScale = new float[outputs];
                    var wQuantized = new sbyte[w.Length];
                    var bQuantized = new int[outputs];
                    for (int o = 0; o < outputs; o++)
                    {
                        var slice = w.AsSpan(o * perChannel, perChannel);
                        float maxAbs = 0;
                        foreach (float v in slice)
                            maxAbs = Math.Max(maxAbs, Math.Abs(v));
                        wScale[o] = maxAbs > 0 ? maxAbs / WeightLimit : 1f;
                        for (int i = 0; i < perChannel; i++)
                            wQuantized[o * perChannel + i] = (sbyte)Math.Clamp(MathF.Round(slice[i] / wScale[o]), -WeightLimit, WeightLimit);
                        double biasScale = (double)x.Scale * wScale[o];
                        bQuantized[o] = (int)Math.Clamp(Math.Round(b[o] / biasScale), int.MinValue, int.MaxValue);
                    }
                    string p = layer.Name + ".";
                    graph.Message(5, t => Tensor(t, p + "w", kernel.Shape, Int8, MemoryMarshal.AsBytes(wQuantized.AsSpan())));
                    graph.Message(5, t => Tensor(t, p + "w.scale", [outputs], OnnxGraphBuilder.FloatType, MemoryMarshal.AsBytes(wScale.AsSpan())));
                    graph.Message(5, t => Tensor(t, p + "w.zero", [outputs], Int8, new byte[outputs]));
                    graph.Message(5, t => Tensor(t, p + "b", [outputs], Int32, MemoryMarshal.AsBytes(bQuantized.AsSpan())));
                    var (_, max) = ranges[relu.Name];
                    float yScale = max > 0 ? max / 255f : 1f;
                    string y = Fresh(top + ".q");
                    Constants(graph, y, yScale, 0);
                    graph.Message(1, n => OnnxGraphBuilder.Node(n, layer.Name, "QLinearConv",
                        [x.Name, x.Name + ".scale", x.Name + ".zero", p + "w", p + "w.scale", p + "w.zero", y + ".scale", y + ".zero", p + "b"], y, attributes));
                    values[top] = new Value(y, true, yScale, 0, null);
                    break;
                }
                case "Deconvolution":
                {
                    string input = AsFloat(In(0));
                    var convolution = OnnxGraphBuilder.Convolution(network, layer, blobs, weightsPath, channels[layer.Bottoms[0]]);
                    string top = layer.Tops[0], output = Fresh(top);
                    channels[top] = convolution.Outputs;
                    OnnxGraphBuilder.FloatConvolution(graph, layer, convolution, input, output);
                    values[top] = new Value(output, false, 0, 0, null);
                    break;
                }
                case "ReLU":
                {
                    string input = AsFloat(In(0)), top = layer.Tops[0], output = Fresh(top);
                    channels[top] = channels[layer.Bottoms[0]];
                    OnnxGraphBuilder.FloatRelu(graph, layer, input, output);
                    values[top] = new Value(output, false, 0, 0, layer.Name);
                    break;
                }
                case "BatchNorm":
                {
                    string input = AsFloat(In(0)), top = layer.Tops[0], output = Fresh(top);
                    long count = channels[layer.Bottoms[0]];
                    channels[top] = count;
                    OnnxGraphBuilder.FloatBatchNorm(graph, layer, blobs, weights, count, input, output);
                    values[top] = new Value(output, false, 0, 0, layer.Name);
                    break;
                }
                default:
                    throw OnnxGraphBuilder.Unsupported(network, layer, $"the ONNX backend does not convert '{layer.Type}' layers (use the OpenCV backend for this network)");
            }
        }
        var logits = values.GetValueOrDefault(NetworkDescription.LogitsBlob)
            ?? throw new ModelFilesException(network.SourceName, $"{network.SourceName} does not produce '{NetworkDescription.LogitsBlob}'.");
        OnnxGraphBuilder.GraphOutput(graph, AsFloat(logits), channels[NetworkDescription.LogitsBlob]);
        return graph.ToModel(OnnxGraphBuilder.ModelHeader());
    }

    // uint8 with a zero point: covers [min, max] and always 0 (so zero padding stays exact).
    private static (float Scale, byte Zero) Asymmetric(float min, float max)
    {
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        float scale = max > min ? (max - min) / 255f : 1f;
        return (scale, (byte)Math.Clamp(MathF.Round(-min / scale), 0, 255));
    }

    private static void Constants(GraphWriter graph, string name, float scale, byte zero)
    {
        graph.Message(5, t => Tensor(t, name + ".scale", [], OnnxGraphBuilder.FloatType, BitConverter.GetBytes(scale)));
        graph.Message(5, t => Tensor(t, name + ".zero", [], Uint8, [zero]));
    }

    private static void Tensor(ProtoWriter tensor, string name, long[] dims, int dataType, ReadOnlySpan<byte> raw)
    {
        OnnxGraphBuilder.TensorHeader(tensor, name, dims, dataType);
        tensor.Bytes(9, raw);
    }

    /// <summary>A blob's current graph value: float, or uint8 with its scale and zero point (named value.scale/.zero).</summary>
    private sealed record Value(string Name, bool Quantized, float Scale, byte ZeroPoint, string? RangeKey);
}
