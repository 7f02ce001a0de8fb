using System.Globalization;
using System.Runtime.InteropServices;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// Builds, in memory, the ONNX model equivalent to a Caffe colorization network (up to <c>conv8_313</c>) from its
/// description and the .caffemodel's blobs: <c>Convolution</c> → <c>Conv</c>, <c>Deconvolution</c> →
/// <c>ConvTranspose</c>, <c>ReLU</c> → <c>Relu</c> (or <c>LeakyRelu</c>), Caffe's <c>BatchNorm</c> →
/// <c>BatchNormalization</c> with the mean and variance divided by the scale-factor blob. The input's height and
/// width are symbolic, so one model serves every render size. Opset 13.
/// </summary>
internal static class OnnxGraphBuilder
{
    /// <summary>The opset the nodes are written for.</summary>
    public const int Opset = 13;

    // ONNX's TensorProto.DataType.FLOAT and AttributeProto.AttributeType INT / INTS / FLOAT.
    internal const int FloatType = 1, IntAttribute = 2, IntsAttribute = 7, FloatAttribute = 1;

    /// <summary>
    /// The serialized <c>ModelProto</c>. <paramref name="network"/> must be without its decoding tail; the blobs are
    /// those of its layers with weights. Throws <see cref="ModelFilesException"/> naming <paramref name="weights"/>
    /// when a blob does not fit its layer (shape, count) and naming the description for a layer type it cannot convert.
    /// </summary>
    /// <param name="network">The description, without its decoding tail.</param>
    /// <param name="blobs">Where the blobs of its layers with weights are.</param>
    /// <param name="weights">The open .caffemodel.</param>
    /// <param name="activations">
    /// When given, every ReLU and BatchNorm output becomes a graph output too, and this receives layer name → output
    /// name: the activations that INT8 calibration measures.
    /// </param>
    public static byte[] Build(NetworkDescription network, IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> blobs, FileStream weights,
        Dictionary<string, string>? activations = null)
    {
        string weightsPath = weights.Name;
        CheckBlobs(network);
        var graph = new GraphWriter(weights);
        graph.String(2, network.Name ?? "colorization");

        // Caffe layers may write in place (ReLU's top is its bottom); ONNX values are written once. Each Caffe blob name
        // maps to its latest ONNX value.
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        var channels = new Dictionary<string, long>(StringComparer.Ordinal);
        bool sawInput = false;
        void Expose(string layerName, string value)
        {
            if (activations is null)
                return;
            activations[layerName] = value;
            graph.Message(12, v => ValueInfo(v, value, null));
        }
        foreach (var layer in network.Layers)
        {
            string Input(int index)
            {
                string bottom = layer.Bottoms.ElementAtOrDefault(index)
                    ?? throw Unsupported(network, layer, "it has no input blob");
                return current.TryGetValue(bottom, out string? value) ? value
                    : throw Unsupported(network, layer, $"its input '{bottom}' is not produced by an earlier layer");
            }
            string Output()
            {
                string top = layer.Tops.Count > 0 ? layer.Tops[0] : throw Unsupported(network, layer, "it has no output blob");
                string value = current.ContainsKey(top) ? $"{top}#{layer.Name}" : top;
                current[top] = value;
                return value;
            }

            switch (layer.Type)
            {
                case "Input":
                {
                    string top = layer.Tops[0];
                    current[top] = top;
                    channels[top] = GraphInput(graph, layer);
                    sawInput = true;
                    break;
                }
                case "Convolution":
                case "Deconvolution":
                {
                    string input = Input(0);
                    long inChannels = channels[layer.Bottoms[0]];
                    var convolution = Convolution(network, layer, blobs, weightsPath, inChannels);
                    string output = Output();
                    channels[layer.Tops[0]] = convolution.Outputs;
                    FloatConvolution(graph, layer, convolution, input, output);
                    break;
                }
                case "ReLU":
                {
                    string input = Input(0);
                    channels[layer.Tops[0]] = channels[layer.Bottoms[0]];
                    string output = Output();
                    FloatRelu(graph, layer, input, output);
                    Expose(layer.Name, output);
                    break;
                }
                case "BatchNorm":
                {
                    string input = Input(0);
                    long count = channels[layer.Bottoms[0]];
                    channels[layer.Tops[0]] = count;
                    string output = Output();
                    FloatBatchNorm(graph, layer, blobs, weights, count, input, output);
                    Expose(layer.Name, output);
                    break;
                }
                default:
                    throw Unsupported(network, layer, $"the ONNX backend does not convert '{layer.Type}' layers (use the OpenCV backend for this network)");
            }
        }
        if (!sawInput)
            throw new ModelFilesException(network.SourceName, $"{network.SourceName} has no Input layer: the ONNX graph needs one.");
        string logits = current.GetValueOrDefault(NetworkDescription.LogitsBlob)
            ?? throw new ModelFilesException(network.SourceName, $"{network.SourceName} does not produce '{NetworkDescription.LogitsBlob}'.");
        GraphOutput(graph, logits, channels[NetworkDescription.LogitsBlob]);
        return graph.ToModel(ModelHeader());
    }

    /// <summary>The ModelProto's own fields: ir_version 7 (for opset 13), the producer, the opset.</summary>
    internal static ProtoWriter ModelHeader() =>
        new ProtoWriter().Int(1, 7).String(2, "Colorizer").Message(8, o => o.String(1, "").Int(2, Opset));

    /// <summary>The graph input (1 × C × height × width, symbolic height and width) of an Input layer; returns C.</summary>
    internal static long GraphInput(GraphWriter graph, LayerDescription layer)
    {
        string top = layer.Tops[0];
        long channels = InputChannels(layer);
        graph.Message(11, v => ValueInfo(v, top, ["1", channels.ToString(CultureInfo.InvariantCulture), "height", "width"]));
        return channels;
    }

    /// <summary>
    /// The graph output <c>conv8_313</c> from the value <paramref name="logits"/>: the output keeps the Caffe blob's name
    /// whatever value last wrote it.
    /// </summary>
    internal static void GraphOutput(GraphWriter graph, string logits, long channels)
    {
        string outputName = NetworkDescription.LogitsBlob;
        if (logits != outputName)
            graph.Message(1, n => Node(n, "logits", "Identity", [logits], outputName, []));
        graph.Message(12, v => ValueInfo(v, outputName, ["1", channels.ToString(CultureInfo.InvariantCulture), "h", "w"]));
    }

    /// <summary>A float <c>Conv</c> or <c>ConvTranspose</c> with its weights (and bias) as initializers.</summary>
    internal static void FloatConvolution(GraphWriter graph, LayerDescription layer,
        (LayerBlob Weights, LayerBlob? Bias, long Outputs, List<Action<ProtoWriter>> Attributes) convolution, string input, string output)
    {
        string weightName = layer.Name + ".weight";
        graph.Initializer(weightName, convolution.Weights);
        var inputs = new List<string> { input, weightName };
        if (convolution.Bias is not null)
        {
            string biasName = layer.Name + ".bias";
            graph.Initializer(biasName, convolution.Bias);
            inputs.Add(biasName);
        }
        graph.Message(1, n => Node(n, layer.Name, layer.Type == "Convolution" ? "Conv" : "ConvTranspose", inputs, output, convolution.Attributes));
    }

    /// <summary><c>Relu</c>, or <c>LeakyRelu</c> for a ReLU layer with a negative slope.</summary>
    internal static void FloatRelu(GraphWriter graph, LayerDescription layer, string input, string output)
    {
        float slope = ParseFloat(layer.Parameters.Message("relu_param")?.Scalar("negative_slope")) ?? 0f;
        if (slope == 0f)
            graph.Message(1, n => Node(n, layer.Name, "Relu", [input], output, []));
        else
            graph.Message(1, n => Node(n, layer.Name, "LeakyRelu", [input], output, [a => FloatAttr(a, "alpha", slope)]));
    }

    /// <summary>Caffe's <c>BatchNorm</c> as <c>BatchNormalization</c>, its four parameters as initializers.</summary>
    internal static void FloatBatchNorm(GraphWriter graph, LayerDescription layer, IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> blobs,
        FileStream weights, long count, string input, string output)
    {
        var (scale, bias, mean, variance, epsilon) = BatchNorm(layer, blobs, weights, count);
        string prefix = layer.Name + ".";
        graph.Message(5, t => Tensor(t, prefix + "scale", [count], scale));
        graph.Message(5, t => Tensor(t, prefix + "bias", [count], bias));
        graph.Message(5, t => Tensor(t, prefix + "mean", [count], mean));
        graph.Message(5, t => Tensor(t, prefix + "var", [count], variance));
        graph.Message(1, n => Node(n, layer.Name, "BatchNormalization",
            [input, prefix + "scale", prefix + "bias", prefix + "mean", prefix + "var"], output,
            [a => FloatAttr(a, "epsilon", epsilon)]));
    }

    /// <summary>Every layer writes one blob, and every layer but the input reads one: what both builders assume.</summary>
    internal static void CheckBlobs(NetworkDescription network)
    {
        foreach (var layer in network.Layers)
        {
            if (layer.Tops.Count != 1)
                throw Unsupported(network, layer, $"it writes {layer.Tops.Count} blobs, the ONNX backend converts layers that write one");
            if (layer.Type != "Input" && layer.Bottoms.Count == 0)
                throw Unsupported(network, layer, "it has no input blob");
        }
    }

    internal static long InputChannels(LayerDescription layer)
    {
        // input_param { shape { dim: 1 dim: 1 dim: 224 dim: 224 } }: the channel count is the second dim.
        var dims = layer.Parameters.Message("input_param")?.Message("shape")?.Ints("dim").ToList();
        return dims is { Count: 4 } ? dims[1] : 1;
    }

    internal static (LayerBlob Weights, LayerBlob? Bias, long Outputs, List<Action<ProtoWriter>> Attributes) Convolution(
        NetworkDescription network, LayerDescription layer, IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> blobs,
        string weightsPath, long inChannels)
    {
        var p = layer.Parameters.Message("convolution_param") ?? throw Unsupported(network, layer, "it has no convolution_param");
        long outputs = p.Int("num_output") ?? throw Unsupported(network, layer, "it has no num_output");
        int group = p.Int("group") ?? 1;
        if (outputs < 1)
            throw Unsupported(network, layer, $"num_output is {outputs}");
        if (group < 1 || outputs % group != 0 || inChannels % group != 0)
            throw Unsupported(network, layer, $"group {group} does not divide its {inChannels} input and {outputs} output channels");
        bool hasBias = !string.Equals(p.Scalar("bias_term"), "false", StringComparison.Ordinal);
        var (kh, kw) = Pair(p, "kernel_size", "kernel_h", "kernel_w", null) ?? throw Unsupported(network, layer, "it has no kernel_size");
        var (sh, sw) = Pair(p, "stride", "stride_h", "stride_w", 1)!.Value;
        var (ph, pw) = Pair(p, "pad", "pad_h", "pad_w", 0)!.Value;
        var (dh, dw) = Pair(p, "dilation", null, null, 1)!.Value;

        var layerBlobs = BlobsOf(layer, blobs, weightsPath, hasBias ? 2 : 1);
        bool transposed = layer.Type == "Deconvolution";
        // Caffe: Convolution weights are (out, in / group, kh, kw); Deconvolution weights are (in, out / group, kh, kw),
        // which is also ONNX ConvTranspose's layout.
        long[] expected = transposed ? [inChannels, outputs / group, kh, kw] : [outputs, inChannels / group, kh, kw];
        var weights = Reshaped(layerBlobs[0], expected, layer, "weights", weightsPath);
        LayerBlob? bias = hasBias ? Reshaped(layerBlobs[1], [outputs], layer, "bias", weightsPath) : null;

        var attributes = new List<Action<ProtoWriter>>
        {
            a => IntsAttr(a, "kernel_shape", [kh, kw]),
            a => IntsAttr(a, "strides", [sh, sw]),
            a => IntsAttr(a, "pads", [ph, pw, ph, pw]),
            a => IntsAttr(a, "dilations", [dh, dw]),
            a => IntAttr(a, "group", group),
        };
        return (weights, bias, outputs, attributes);
    }

    internal static (float[] Scale, float[] Bias, float[] Mean, float[] Variance, float Epsilon) BatchNorm(
        LayerDescription layer, IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> blobs, FileStream weights, long count)
    {
        string weightsPath = weights.Name;
        // Caffe keeps running sums: mean and variance are blobs 0 and 1 divided by the scale factor in blob 2
        // (0 means no statistics yet, and Caffe then uses 0).
        var layerBlobs = BlobsOf(layer, blobs, weightsPath, 3);
        var mean = Reshaped(layerBlobs[0], [count], layer, "mean", weightsPath).Read(weights);
        var variance = Reshaped(layerBlobs[1], [count], layer, "variance", weightsPath).Read(weights);
        if (layerBlobs[2].Count != 1)
            throw Mismatch(layer, weightsPath, $"its scale factor has {layerBlobs[2].Count} values, expected 1");
        float factor = layerBlobs[2].Read(weights)[0];
        float multiplier = factor == 0f ? 0f : 1f / factor;
        var scaledMean = mean.Select(m => m * multiplier).ToArray();
        var scaledVariance = variance.Select(v => v * multiplier).ToArray();
        float epsilon = ParseFloat(layer.Parameters.Message("batch_norm_param")?.Scalar("eps")) ?? 1e-5f;
        var ones = new float[count];
        Array.Fill(ones, 1f);
        return (ones, new float[count], scaledMean, scaledVariance, epsilon);
    }

    internal static IReadOnlyList<LayerBlob> BlobsOf(LayerDescription layer, IReadOnlyDictionary<string, IReadOnlyList<LayerBlob>> blobs, string weightsPath, int needed)
    {
        if (!blobs.TryGetValue(layer.Name, out var found) || found.Count < needed)
            throw Mismatch(layer, weightsPath, $"it has {found?.Count ?? 0} blobs in the weights, expected {needed}");
        return found;
    }

    // The release stores shapes as given; older files may flatten them. The count must match either way.
    internal static LayerBlob Reshaped(LayerBlob blob, long[] expected, LayerDescription layer, string what, string weightsPath)
    {
        long count = expected.Aggregate(1L, (a, b) => a * b);
        if (blob.Count != count)
        {
            throw Mismatch(layer, weightsPath,
                $"its {what} blob has shape {string.Join('×', blob.Shape)} ({blob.Count:N0} values), the description calls for {string.Join('×', expected)}");
        }
        return blob with { Shape = expected };
    }

    internal static (long, long)? Pair(PrototxtMessage p, string both, string? first, string? second, long? fallback)
    {
        var values = p.Ints(both).ToList();
        if (first is not null && p.Int(first) is int h && second is not null && p.Int(second) is int w)
            return (h, w);
        return values.Count switch
        {
            0 => fallback is long f ? (f, f) : null,
            1 => (values[0], values[0]),
            _ => (values[0], values[1]),
        };
    }

    internal static float? ParseFloat(string? text) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) ? value : null;

    internal static void ValueInfo(ProtoWriter value, string name, string[]? dims, int elementType = FloatType)
    {
        // ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }
        value.String(1, name);
        value.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, elementType);
            if (dims is null)
                return;
            tensor.Message(2, shape =>
            {
                foreach (string dim in dims)
                {
                    shape.Message(1, d =>
                    {
                        if (long.TryParse(dim, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
                            d.Int(1, size);
                        else
                            d.String(2, dim);
                    });
                }
            });
        }));
    }

    internal static void Tensor(ProtoWriter tensor, string name, long[] dims, float[] data)
    {
        TensorHeader(tensor, name, dims);
        tensor.Bytes(9, MemoryMarshal.AsBytes(data.AsSpan()));
    }

    /// <summary>TensorProto { dims = 1, data_type = 2, name = 8 }; raw_data = 9 (little-endian values) follows.</summary>
    internal static void TensorHeader(ProtoWriter tensor, string name, long[] dims, int dataType = FloatType)
    {
        foreach (long dim in dims)
            tensor.Int(1, dim);
        tensor.Int(2, dataType);
        tensor.String(8, name);
    }

    internal static void Node(ProtoWriter node, string name, string op, IEnumerable<string> inputs, string output, IEnumerable<Action<ProtoWriter>> attributes)
    {
        // NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }
        foreach (string input in inputs)
            node.String(1, input);
        node.String(2, output);
        node.String(3, name);
        node.String(4, op);
        foreach (var attribute in attributes)
            node.Message(5, attribute);
    }

    // AttributeProto { name = 1, f = 2, i = 3, ints = 8, type = 20 }
    internal static void IntAttr(ProtoWriter a, string name, long value) => a.String(1, name).Int(3, value).Int(20, IntAttribute);

    internal static void FloatAttr(ProtoWriter a, string name, float value) => a.String(1, name).Float(2, value).Int(20, FloatAttribute);

    internal static void IntsAttr(ProtoWriter a, string name, long[] values)
    {
        a.String(1, name);
        foreach (long value in values)
            a.Int(8, value);
        a.Int(20, IntsAttribute);
    }

    internal static ModelFilesException Unsupported(NetworkDescription network, LayerDescription layer, string why) =>
        new(network.SourceName, $"{network.SourceName}: layer '{layer.Name}' ({layer.Type}) cannot be converted: {why}.");

    internal static ModelFilesException Mismatch(LayerDescription layer, string weightsPath, string why) =>
        new(weightsPath, $"{weightsPath} does not fit the network description at layer '{layer.Name}' ({layer.Type}): {why}.");
}
