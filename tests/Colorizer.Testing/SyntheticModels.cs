using System.Globalization;
using Colorizer.Core.Models;

namespace Colorizer.Testing;

/// <summary>The three files of a model folder, under their upstream names.</summary>
/// <param name="Directory">The folder holding them.</param>
public sealed record SyntheticModelFolder(string Directory)
{
    /// <summary>The network description (<see cref="ModelFileNames.Prototxt"/>).</summary>
    public string PrototxtPath => Path.Combine(Directory, ModelFileNames.Prototxt);

    /// <summary>The weights (<see cref="ModelFileNames.Weights"/>).</summary>
    public string WeightsPath => Path.Combine(Directory, ModelFileNames.Weights);

    /// <summary>The bin centres (<see cref="ModelFileNames.BinCentres"/>).</summary>
    public string BinCentresPath => Path.Combine(Directory, ModelFileNames.BinCentres);
}

/// <summary>
/// Writes model folders that stand in for the 129 MB release in tests and benchmarks: a tiny network with a known
/// answer (<see cref="WriteTiny"/>), and the release architecture with seeded random weights
/// (<see cref="WriteFullSize"/>). Both use the upstream file names and the real 313 bin centres.
/// </summary>
public static class SyntheticModels
{
    /// <summary>The byte size of the real <c>colorization_release_v2.caffemodel</c>.</summary>
    public const long ReleaseWeightsSize = 128_946_764;

    /// <summary>The softmax temperature the release's decoding tail bakes in (1 / 2.606).</summary>
    public const double ReleaseTemperature = 0.38;

    /// <summary>
    /// The decoding tail of the official prototxt (temperature scale, softmax, ab projection, Silence), laid out as
    /// upstream does. Its layers have no blobs in the release weights, which is why OpenCV cannot load it as is.
    /// </summary>
    public const string DecodingTail = """
        # ***** Decoding *****
        layer {
          name: "conv8_313_rh"
          type: "Scale"
          bottom: "conv8_313"
          top: "conv8_313_rh"
          scale_param {
            bias_term: false
            filler { type: 'constant' value: 2.606 }
          }
        }
        layer {
          name: "class8_313_rh"
          type: "Softmax"
          bottom: "conv8_313_rh"
          top: "class8_313_rh"
        }
        layer {
          name: "class8_ab"
          type: "Convolution"
          bottom: "class8_313_rh"
          top: "class8_ab"
          convolution_param {
            num_output: 2
            kernel_size: 1
            stride: 1
            dilation: 1
          }
        }
        layer {
          name: "Silence"
          type: "Silence"
          bottom: "class8_ab"
        }

        """;

    private static readonly Lazy<(int A, int B)[]> LazyBinCentres = new(ReadBinCentres);

    /// <summary>The real 313 ab bin centres, in the order of the network's output channels.</summary>
    public static IReadOnlyList<(int A, int B)> BinCentres => LazyBinCentres.Value;

    /// <summary>
    /// The tiny network's prototxt: Input <c>data_l</c> 1×1×224×224, one Convolution <c>conv8_313</c> (313 outputs,
    /// kernel 4, stride 4: S/4 × S/4 logits for any side S that is a multiple of 4), then, unless told otherwise,
    /// the official decoding tail.
    /// </summary>
    public static string TinyPrototxt(bool includeDecodingTail = true)
    {
        string k = TinyModel.Kernel.ToString(CultureInfo.InvariantCulture);
        string head = $$"""
            name: "TinyLtoAB"

            layer {
              name: "data_l"
              type: "Input"
              top: "data_l"
              input_param {
                shape { dim: 1 dim: 1 dim: 224 dim: 224 }
              }
            }
            layer {
              name: "{{NetworkDescription.LogitsBlob}}"
              type: "Convolution"
              bottom: "{{NetworkDescription.InputBlob}}"
              top: "{{NetworkDescription.LogitsBlob}}"
              convolution_param {
                num_output: {{NetworkDescription.BinCount}}
                kernel_size: {{k}}
                stride: {{k}}
              }
            }

            """;
        return includeDecodingTail ? head + DecodingTail : head;
    }

    /// <summary>
    /// Writes the tiny network <paramref name="model"/> into <paramref name="directory"/> (created if needed): its
    /// prototxt (with the official decoding tail unless <paramref name="includeDecodingTail"/> is false), its
    /// weights (blobs for <c>conv8_313</c> only, none for the tail, like the release) and the real bin centres.
    /// </summary>
    public static SyntheticModelFolder WriteTiny(string directory, TinyModel model, bool includeDecodingTail = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        var folder = new SyntheticModelFolder(Directory.CreateDirectory(directory).FullName);
        File.WriteAllText(folder.PrototxtPath, TinyPrototxt(includeDecodingTail));
        using (var writer = new CaffeModelWriter(folder.WeightsPath))
            writer.WriteLayer(NetworkDescription.LogitsBlob, "Convolution", model.WeightsBlob(), model.BiasBlob());
        WriteBinCentres(folder.BinCentresPath);
        return folder;
    }

    /// <summary>
    /// Writes the release architecture (<see cref="NetworkDescription.Release"/>) with weights drawn from
    /// <paramref name="seed"/> into <paramref name="directory"/> (created if needed), plus the real bin centres.
    /// The weights file comes out within 2 KB of the release's <see cref="ReleaseWeightsSize"/>; the same seed gives
    /// the same bytes. The prototxt is the release's without the decoding tail, unless
    /// <paramref name="includeDecodingTail"/> asks for the official file's form.
    /// </summary>
    public static SyntheticModelFolder WriteFullSize(string directory, int seed, bool includeDecodingTail = false)
    {
        var folder = new SyntheticModelFolder(Directory.CreateDirectory(directory).FullName);
        string prototxt = NetworkDescription.Release.ToPrototxt();
        File.WriteAllText(folder.PrototxtPath, includeDecodingTail ? prototxt + DecodingTail : prototxt);
        using (var stream = new FileStream(folder.WeightsPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            WriteRandomWeights(stream, NetworkDescription.Release, seed);
        WriteBinCentres(folder.BinCentresPath);
        return folder;
    }

    /// <summary>
    /// Writes a .caffemodel for <paramref name="network"/> to <paramref name="stream"/> (left open): every layer with
    /// its name, type, bottoms and tops, as Caffe saves a net, and seeded random blobs for every layer that has weights. Input channels are inferred by following the blobs from the Input
    /// layer: Convolution and Deconvolution produce <c>num_output</c> channels, every other layer keeps its first
    /// bottom's. Weights are He-uniform (standard deviation √(2 / fan-in)) so activations keep their scale through
    /// the ReLUs, biases uniform in ±0.01; BatchNorm layers get mean 0, variance 1, factor 1 (an identity).
    /// </summary>
    public static void WriteRandomWeights(Stream stream, NetworkDescription network, int seed)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        var random = new Random(seed);
        var channels = new Dictionary<string, int>(StringComparer.Ordinal);
        float[] buffer = [];
        using var writer = new CaffeModelWriter(stream, leaveOpen: true);

        foreach (var layer in network.Layers)
        {
            int inputs = layer.Bottoms.Count > 0
                ? channels.TryGetValue(layer.Bottoms[0], out int c) ? c
                    : throw new InvalidOperationException($"Layer '{layer.Name}' reads '{layer.Bottoms[0]}', which no earlier layer produces.")
                : 0;
            int outputs = inputs;

            switch (layer.Type)
            {
                case "Input":
                    var dims = layer.Parameters.Message("input_param")?.Message("shape")?.Ints("dim").ToArray() ?? [];
                    outputs = dims.Length >= 2 ? dims[1]
                        : throw new InvalidOperationException($"Input layer '{layer.Name}' has no shape with a channel dimension.");
                    break;

                case "Convolution" or "Deconvolution":
                {
                    var param = layer.Parameters.Message("convolution_param")
                        ?? throw new InvalidOperationException($"Layer '{layer.Name}' has no convolution_param.");
                    outputs = param.Int("num_output") ?? throw new InvalidOperationException($"Layer '{layer.Name}' has no num_output.");
                    int group = param.Int("group") ?? 1;
                    int kernelH = param.Int("kernel_h") ?? param.Int("kernel_size") ?? throw new InvalidOperationException($"Layer '{layer.Name}' has no kernel size.");
                    int kernelW = param.Int("kernel_w") ?? param.Ints("kernel_size").Skip(1).Cast<int?>().FirstOrDefault() ?? kernelH;
                    int stride = param.Int("stride") ?? 1;
                    bool bias = !string.Equals(param.Scalar("bias_term"), "false", StringComparison.OrdinalIgnoreCase);
                    bool deconvolution = layer.Type == "Deconvolution";
                    int[] shape = deconvolution
                        ? [inputs, outputs / group, kernelH, kernelW]
                        : [outputs, inputs / group, kernelH, kernelW];
                    // Each output sums (in/group)·k·k inputs; a strided deconvolution only (in/group)·k·k/stride².
                    double fanIn = (double)(inputs / group) * kernelH * kernelW;
                    if (deconvolution)
                        fanIn /= (double)stride * stride;
                    var blobs = new List<CaffeBlob> { Uniform(random, ref buffer, 0, shape, Math.Sqrt(6.0 / fanIn)) };
                    if (bias)
                        blobs.Add(Uniform(random, ref buffer, Count(shape), [outputs], 0.01));
                    writer.WriteLayer(layer.Name, layer.Type, layer.Bottoms, layer.Tops, blobs);
                    break;
                }

                case "BatchNorm":
                    writer.WriteLayer(layer.Name, layer.Type, layer.Bottoms, layer.Tops,
                        CaffeBlob.Zeros(inputs), CaffeBlob.Filled(1f, inputs), CaffeBlob.Filled(1f, 1));
                    break;

                default:
                    if (layer.HasWeights)
                        throw new NotSupportedException($"Layer '{layer.Name}' of type {layer.Type} is not supported by the generator.");
                    break;
            }
            // Caffe records every layer of the net, blobs or not; so do we (it also brings the size near the release's).
            if (!layer.HasWeights)
                writer.WriteLayer(layer.Name, layer.Type, layer.Bottoms, layer.Tops);

            foreach (var top in layer.Tops)
                channels[top] = outputs;
        }
    }

    /// <summary>The index of the bin whose centre is (<paramref name="a"/>, <paramref name="b"/>).</summary>
    public static int BinAt(int a, int b)
    {
        var centres = BinCentres;
        for (int i = 0; i < centres.Count; i++)
        {
            if (centres[i] == (a, b))
                return i;
        }
        throw new ArgumentException($"No bin is centred at ({a}, {b}).");
    }

    /// <summary>Writes the real 313 bin centres as an int64 (313, 2) .npy file, like the release's <c>pts_in_hull.npy</c>.</summary>
    public static void WriteBinCentres(string path, int alignment = NpyWriter.DefaultAlignment) =>
        NpyWriter.WriteBinCentres(path, BinCentres, alignment);

    /// <summary>
    /// The reference decoding of one cell: softmax(logits / <paramref name="temperature"/>) weighted over the bin
    /// centres (the annealed mean), computed in double precision with the maximum subtracted first.
    /// </summary>
    public static (double A, double B) AnnealedMean(ReadOnlySpan<float> logits, double temperature)
    {
        if (logits.Length != NetworkDescription.BinCount)
            throw new ArgumentException($"Expected {NetworkDescription.BinCount} logits, got {logits.Length}.", nameof(logits));
        if (!(temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        double max = double.NegativeInfinity;
        foreach (float logit in logits)
            max = Math.Max(max, logit);
        var centres = BinCentres;
        double sum = 0, a = 0, b = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double weight = Math.Exp((logits[i] - max) / temperature);
            sum += weight;
            a += weight * centres[i].A;
            b += weight * centres[i].B;
        }
        return (a / sum, b / sum);
    }

    private static CaffeBlob Uniform(Random random, ref float[] buffer, int offset, int[] shape, double limit)
    {
        // One shared buffer per call of WriteRandomWeights, consumed before the next blob is drawn: the weights and
        // bias of one layer sit side by side in it, then are overwritten by the next layer.
        int count = Count(shape);
        if (buffer.Length < offset + count)
            Array.Resize(ref buffer, Math.Max(offset + count, buffer.Length * 2));
        var span = buffer.AsSpan(offset, count);
        float scale = (float)(2 * limit);
        float shift = (float)limit;
        for (int i = 0; i < span.Length; i++)
            span[i] = random.NextSingle() * scale - shift;
        return new CaffeBlob(shape, buffer.AsMemory(offset, count));
    }

    private static int Count(int[] shape)
    {
        int count = 1;
        foreach (int dim in shape)
            count *= dim;
        return count;
    }

    private static (int A, int B)[] ReadBinCentres()
    {
        const string resource = "Colorizer.Core.Models.pts_in_hull.csv";
        using var stream = typeof(NetworkDescription).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Colorizer.Core carries no resource {resource}.");
        using var reader = new StreamReader(stream);
        var centres = new List<(int A, int B)>();
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var parts = line.Split(',');
            centres.Add((int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture)));
        }
        if (centres.Count != NetworkDescription.BinCount)
            throw new InvalidOperationException($"{resource} holds {centres.Count} centres, expected {NetworkDescription.BinCount}.");
        return centres.ToArray();
    }
}
