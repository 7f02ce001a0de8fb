using Colorizer.Core.Colorization;

namespace Colorizer.Core.Models.Catalogue;

/// <summary>
/// The models Colorizer knows: the 2016 network (the default) and the DDColor and DeOldify ONNX files as facefusion
/// publishes them. The facts come from the publishers; sizes marked uncertain there are not enforced (the server's
/// length and the published CRC-32 are checked instead).
/// </summary>
public static class ModelCatalogue
{
    /// <summary>The id of the default model, the 2016 network.</summary>
    public const string DefaultId = "eccv16";

    /// <summary>The sides the ONNX models are run at (facefusion's choices).</summary>
    public static readonly IReadOnlyList<int> OnnxInputSizes = [192, 256, 384, 512];

    /// <summary>The side the ONNX models are run at when none is asked for.</summary>
    public const int OnnxDefaultInputSize = 256;

    // facefusion's two hosts, in the order it tries them.
    private static readonly string[] OnnxHosts =
    [
        "https://github.com/facefusion/facefusion-assets/releases/download/models-3.0.0/",
        "https://huggingface.co/facefusion/models-3.0.0/resolve/main/",
    ];

    /// <summary>The 2016 network (Zhang, Isola and Efros).</summary>
    public static ColorModel Eccv16 { get; } = new()
    {
        Id = DefaultId,
        Name = "Classic (Zhang et al., 2016)",
        Licence = "BSD-2-Clause",
        Type = ColorModelType.Eccv16,
        FileName = WeightsRelease.Official.FileName,
        Sources = WeightsRelease.Official.Sources,
        ExpectedSize = WeightsRelease.Official.Size,
        InputSizes = [128, 224, 320, 448, 1024],
        DefaultInputSize = ColorizationOptions.DefaultRenderSize,
    };

    /// <summary>Every model, the default first.</summary>
    public static IReadOnlyList<ColorModel> All { get; } =
    [
        Eccv16,
        Onnx("ddcolor", "DDColor", "Apache-2.0", ColorModelType.DDColor, "ddcolor.onnx"),
        Onnx("ddcolor-artistic", "DDColor, artistic", "Apache-2.0", ColorModelType.DDColor, "ddcolor_artistic.onnx"),
        Onnx("deoldify-stable", "DeOldify, stable", "MIT", ColorModelType.DeOldify, "deoldify_stable.onnx"),
        Onnx("deoldify-artistic", "DeOldify, artistic", "MIT", ColorModelType.DeOldify, "deoldify_artistic.onnx"),
        Onnx("deoldify", "DeOldify", "MIT", ColorModelType.DeOldify, "deoldify.onnx"),
    ];

    /// <summary>The ids, in catalogue order, for messages: <c>eccv16, ddcolor, …</c>.</summary>
    public static string IdsText => string.Join(", ", All.Select(m => m.Id));

    /// <summary>The model with <paramref name="id"/> (ordinal, case-insensitive), or null.</summary>
    public static ColorModel? Find(string? id) =>
        id is null ? null : All.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>The model with <paramref name="id"/>; an unknown id is <see cref="InvalidColorizationOptionException"/> naming <c>Model</c>.</summary>
    public static ColorModel Get(string id) =>
        Find(id) ?? throw new InvalidColorizationOptionException(nameof(ColorizationOptions.Model),
            $"Model must be one of {IdsText}; got '{id}'.");

    private static ColorModel Onnx(string id, string name, string licence, ColorModelType type, string fileName) => new()
    {
        Id = id,
        Name = name,
        Licence = licence,
        Type = type,
        FileName = fileName,
        Sources = [.. OnnxHosts.Select(host => new Uri(host + fileName))],
        InputSizes = OnnxInputSizes,
        DefaultInputSize = OnnxDefaultInputSize,
    };
}
