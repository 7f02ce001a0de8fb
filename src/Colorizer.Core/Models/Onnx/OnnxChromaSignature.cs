using Colorizer.Core.Models.Catalogue;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// What an ONNX file's metadata says about its input and output, checked against its type's contract at load: one
/// float input named <c>input</c> of shape <c>[1, 3, H, W]</c> (H and W free, or fixed and equal), and a float first
/// output of shape <c>[1, 2, …]</c> (DDColor) or <c>[1, 3, …]</c> (DeOldify).
/// </summary>
internal sealed record OnnxChromaSignature(string InputName, string OutputName, int OutputChannels, int? FixedSize)
{
    /// <summary>The input name both types' files use.</summary>
    public const string ExpectedInputName = "input";

    /// <summary>The channels of <paramref name="type"/>'s output: a and b, or R, G and B.</summary>
    public static int ChannelsOf(ColorModelType type) => type == ColorModelType.DDColor ? 2 : 3;

    /// <summary>Reads and checks <paramref name="session"/>'s metadata; a mismatch is <see cref="ModelFilesException"/> naming <paramref name="path"/>.</summary>
    public static OnnxChromaSignature Check(InferenceSession session, ColorModelType type, string path)
    {
        int outputChannels = ChannelsOf(type);
        string expectedInput = $"one float32 input named '{ExpectedInputName}' of shape [1, 3, S, S]";
        string expectedOutput = $"a float32 first output of shape [1, {outputChannels}, S, S]";

        var inputs = session.InputMetadata;
        if (inputs.Count != 1 || !inputs.TryGetValue(ExpectedInputName, out var input))
            throw Refused(path, type, expectedInput, $"input{(inputs.Count == 1 ? "" : "s")} {Describe(inputs)}");
        if (!input.IsTensor || input.ElementDataType != TensorElementType.Float || input.Dimensions is not [var batch, 3, var height, var width]
            || batch is not (1 or -1) || (height > 0 && width > 0 && height != width) || (height > 0) != (width > 0))
            throw Refused(path, type, expectedInput, $"input {Describe(ExpectedInputName, input)}");

        if (session.OutputNames.Count == 0)
            throw Refused(path, type, expectedOutput, "no output");
        string outputName = session.OutputNames[0];
        var output = session.OutputMetadata[outputName];
        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float || output.Dimensions is not [var outBatch, var channels, var outHeight, var outWidth]
            || outBatch is not (1 or -1) || channels != outputChannels
            || (height > 0 && ((outHeight > 0 && outHeight != height) || (outWidth > 0 && outWidth != width))))
            throw Refused(path, type, expectedOutput, $"first output {Describe(outputName, output)}");

        return new OnnxChromaSignature(ExpectedInputName, outputName, outputChannels, height > 0 ? height : null);
    }

    private static ModelFilesException Refused(string path, ColorModelType type, string expected, string found) =>
        new(path, $"{path} is not a {type} model: expected {expected}; found {found}.");

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> values) =>
        values.Count == 0 ? "none" : string.Join(", ", values.Select(v => Describe(v.Key, v.Value)));

    private static string Describe(string name, NodeMetadata value) => value.IsTensor
        ? $"'{name}' {value.ElementDataType.ToString().ToLowerInvariant()}{(value.ElementDataType == TensorElementType.Float ? "32" : "")} " +
          $"[{string.Join(", ", value.Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : value.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?"))}]"
        : $"'{name}' (not a tensor)";
}
