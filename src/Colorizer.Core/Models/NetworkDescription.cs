using System.Globalization;
using System.Reflection;
using System.Text;

namespace Colorizer.Core.Models;

/// <summary>
/// A parsed Caffe network description (prototxt). Colorizer reads the official file unmodified and drops the
/// decoding tail itself, because OpenCvSharp cannot inject the blobs that tail needs.
/// </summary>
public sealed class NetworkDescription
{
    /// <summary>The blob the network reads: the L channel minus 50, 1×1×S×S.</summary>
    public const string InputBlob = "data_l";

    /// <summary>The blob the engine reads: 313 logits per 4×4 cell, before the annealed-mean tail.</summary>
    public const string LogitsBlob = "conv8_313";

    /// <summary>The number of quantized ab bins the network predicts.</summary>
    public const int BinCount = 313;

    /// <summary>Layer types whose parameters live in the .caffemodel and must be present there.</summary>
    internal static readonly IReadOnlySet<string> TypesWithWeights = new HashSet<string>(StringComparer.Ordinal)
    {
        "Convolution", "Deconvolution", "BatchNorm", "InnerProduct",
    };

    private NetworkDescription(string? name, IReadOnlyList<LayerDescription> layers, string sourceName)
    {
        Name = name;
        Layers = layers;
        SourceName = sourceName;
    }

    /// <summary>The network's <c>name</c>, if the file gives one.</summary>
    public string? Name { get; }

    /// <summary>The layers in file order.</summary>
    public IReadOnlyList<LayerDescription> Layers { get; }

    /// <summary>Where the description came from, for error messages.</summary>
    public string SourceName { get; }

    /// <summary>The release network as carried in the project's <c>models/</c> folder (already without the tail).</summary>
    public static NetworkDescription Release => LazyRelease.Value;

    private static readonly Lazy<NetworkDescription> LazyRelease = new(() =>
        Parse(ReadEmbedded(ModelFileNames.Prototxt), "the built-in " + ModelFileNames.Prototxt));

    internal static string ReadEmbedded(string fileName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Colorizer.Core.Models." + fileName)
            ?? throw new InvalidOperationException($"The embedded resource {fileName} is missing from Colorizer.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Parses prototxt text. Throws <see cref="ModelFilesException"/> naming <paramref name="sourceName"/> on a syntax error.</summary>
    public static NetworkDescription Parse(string text, string sourceName)
    {
        PrototxtMessage root;
        try
        {
            root = PrototxtMessage.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new ModelFilesException(sourceName, $"{sourceName} is not a valid Caffe prototxt: {ex.Message}", ex);
        }

        var layers = root.Messages("layer").Select(LayerDescription.From).ToList();
        return new NetworkDescription(root.Scalar("name"), layers, sourceName);
    }

    /// <summary>
    /// Checks that this is the colorization network: an input <c>data_l</c> and a convolution producing the 313
    /// <c>conv8_313</c> logits. Throws <see cref="ModelFilesException"/> saying what was expected.
    /// </summary>
    public void EnsureColorizationNetwork()
    {
        if (Layers.Count == 0)
            throw Wrong("it defines no layers");
        bool hasInput = Layers.Any(l => l.Type == "Input" && l.Tops.Contains(InputBlob));
        if (!hasInput)
            throw Wrong($"it has no Input layer producing '{InputBlob}' (the L channel, 1×1×224×224)");
        var logits = Layers.FirstOrDefault(l => l.Tops.Contains(LogitsBlob) && l.Type == "Convolution");
        if (logits is null)
            throw Wrong($"it has no Convolution layer producing '{LogitsBlob}' (the 313 ab-bin logits)");
        int? outputs = logits.Parameters.Message("convolution_param")?.Int("num_output");
        if (outputs != BinCount)
            throw Wrong($"its layer '{logits.Name}' has num_output {outputs?.ToString(CultureInfo.InvariantCulture) ?? "missing"}, expected {BinCount}");
    }

    private ModelFilesException Wrong(string what) => new(
        SourceName,
        $"{SourceName} is not the colorization network description: {what}. " +
        $"Use the official {ModelFileNames.Prototxt} (github.com/richzhang/colorization) or delete it to use the built-in copy.");

    /// <summary>
    /// The network without the decoding tail: every layer downstream of <c>conv8_313</c> (the temperature scale, the
    /// softmax, the ab projection) and any <c>Silence</c> layer. The engine decodes the logits itself.
    /// </summary>
    public NetworkDescription WithoutDecodingTail()
    {
        var tainted = new HashSet<string>(StringComparer.Ordinal) { LogitsBlob };
        var kept = new List<LayerDescription>();
        foreach (var layer in Layers)
        {
            bool downstream = layer.Bottoms.Any(tainted.Contains) && !layer.Tops.Contains(LogitsBlob);
            if (downstream || layer.Type == "Silence")
            {
                foreach (var top in layer.Tops)
                    tainted.Add(top);
                continue;
            }
            kept.Add(layer);
        }
        return new NetworkDescription(Name, kept, SourceName);
    }

    /// <summary>The description as prototxt text, one layer a line.</summary>
    public string ToPrototxt()
    {
        var text = new StringBuilder();
        if (Name is not null)
            text.Append("name: ").Append(PrototxtMessage.Quote(Name)).Append('\n');
        foreach (var layer in Layers)
            text.Append("layer { ").Append(layer.Parameters.ToText()).Append(" }\n");
        return text.ToString();
    }
}

/// <summary>One layer of a <see cref="NetworkDescription"/>.</summary>
/// <param name="Name">The layer's name (how the .caffemodel finds its blobs).</param>
/// <param name="Type">The Caffe layer type, e.g. <c>Convolution</c>.</param>
/// <param name="Bottoms">The blobs it reads.</param>
/// <param name="Tops">The blobs it writes.</param>
/// <param name="Parameters">The whole layer message.</param>
public sealed record LayerDescription(string Name, string Type, IReadOnlyList<string> Bottoms, IReadOnlyList<string> Tops, PrototxtMessage Parameters)
{
    internal static LayerDescription From(PrototxtMessage layer) => new(
        layer.Scalar("name") ?? "",
        layer.Scalar("type") ?? "",
        layer.Scalars("bottom").ToList(),
        layer.Scalars("top").ToList(),
        layer);

    /// <summary>Whether the layer's parameters live in the .caffemodel.</summary>
    public bool HasWeights => NetworkDescription.TypesWithWeights.Contains(Type);
}
