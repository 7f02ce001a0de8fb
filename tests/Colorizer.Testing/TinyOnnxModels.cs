using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Models.Onnx;

namespace Colorizer.Testing;

/// <summary>
/// Tiny ONNX files with the DDColor or DeOldify type's exact signature and a known answer: one 1×1 <c>Conv</c> from
/// the input's three channels, so each output channel is <c>bias[c] + Σ weight[c, i] · input[i]</c>. Zero weights give
/// a constant output (a DDColor-type file answering (a, b) = (30, −20) everywhere, say). Not the real networks: they
/// only check that Colorizer feeds and reads each type as its contract says.
/// </summary>
public static class TinyOnnxModels
{
    /// <summary>A DDColor-type file whose output is (a, b) everywhere; <paramref name="fixedSize"/> fixes its input side.</summary>
    public static byte[] ConstantAb(float a, float b, int? fixedSize = null) =>
        Build(new float[6], [a, b], fixedSize);

    /// <summary>A DeOldify-type file whose output is the RGB colour (0–255) everywhere.</summary>
    public static byte[] ConstantRgb(float r, float g, float bl, int? fixedSize = null) =>
        Build(new float[9], [r, g, bl], fixedSize);

    /// <summary>A DDColor-type file whose a is <paramref name="slope"/> × the input's R channel and whose b is 0: reads back what it was fed.</summary>
    public static byte[] AFromRed(float slope) => Build([slope, 0, 0, 0, 0, 0], [0, 0], null);

    /// <summary>A DeOldify-type file whose output is its input's R and G with B = 0: a grey g fed in 0–255 comes back as the yellow (g, g, 0).</summary>
    public static byte[] RedGreenOfInput() => Build([1, 0, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0], null);

    /// <summary>The file for <paramref name="type"/> with a constant, mid-saturated output.</summary>
    public static byte[] Constant(ColorModelType type, int? fixedSize = null) =>
        type == ColorModelType.DDColor ? ConstantAb(30, -20, fixedSize) : ConstantRgb(200, 120, 60, fixedSize);

    /// <summary>
    /// A file of the right shape but with its input named <paramref name="inputName"/> or its output channels,
    /// input channels or rank other than a type expects; <paramref name="inputDims"/> are symbolic names or numbers.
    /// </summary>
    public static byte[] Signature(string inputName, string[] inputDims, string[] outputDims)
    {
        var graph = new ProtoWriter();
        graph.String(2, "tiny-signature");
        graph.Message(1, n => OnnxGraphBuilder.Node(n, "pass", "Identity", [inputName], "output", []));
        graph.Message(11, v => OnnxGraphBuilder.ValueInfo(v, inputName, inputDims));
        graph.Message(12, v => OnnxGraphBuilder.ValueInfo(v, "output", outputDims));
        return OnnxGraphBuilder.ModelHeader().Message(7, graph).WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="directory"/> under <paramref name="model"/>'s catalogue file name; returns the path.</summary>
    public static string WriteTo(string directory, ColorModel model, byte[] content)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, model.FileName);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Build(float[] weights, float[] bias, int? fixedSize)
    {
        int outputs = bias.Length;
        string side = fixedSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "height";
        string width = fixedSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "width";
        string channels = outputs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var graph = new ProtoWriter();
        graph.String(2, "tiny-" + channels);
        graph.Message(1, n => OnnxGraphBuilder.Node(n, "conv", "Conv", ["input", "w", "b"], "output",
            [a => OnnxGraphBuilder.IntsAttr(a, "kernel_shape", [1, 1])]));
        graph.Message(5, t => OnnxGraphBuilder.Tensor(t, "w", [outputs, 3, 1, 1], weights));
        graph.Message(5, t => OnnxGraphBuilder.Tensor(t, "b", [outputs], bias));
        graph.Message(11, v => OnnxGraphBuilder.ValueInfo(v, "input", ["1", "3", side, width]));
        graph.Message(12, v => OnnxGraphBuilder.ValueInfo(v, "output", ["1", channels, side, width]));
        return OnnxGraphBuilder.ModelHeader().Message(7, graph).WrittenSpan.ToArray();
    }
}
