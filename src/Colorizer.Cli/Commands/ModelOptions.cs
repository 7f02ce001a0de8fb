using System.CommandLine;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;

namespace Colorizer.Cli.Commands;

/// <summary>The <c>--model</c> and <c>--model-size</c> options, and how they turn into colorization options.</summary>
internal static class ModelOptions
{
    /// <summary><c>--model ID</c>: one of the catalogue's ids.</summary>
    public static Option<string> CreateModel(string description, bool withDefault)
    {
        var option = new Option<string>("--model", "-m") { Description = description };
        if (withDefault)
            option.DefaultValueFactory = _ => ModelCatalogue.DefaultId;
        option.AcceptOnlyFromAmong([.. ModelCatalogue.All.Select(m => m.Id)]);
        return option;
    }

    /// <summary><c>--model-size N</c>: the DDColor and DeOldify models' input side.</summary>
    public static Option<int?> CreateModelSize() => new("--model-size")
    {
        Description = $"DDColor and DeOldify models: the side they run at, {string.Join(", ", ModelCatalogue.OnnxInputSizes)} (default {ModelCatalogue.OnnxDefaultInputSize}). " +
            "A model file with a fixed size runs at that size.",
    };

    /// <summary>
    /// The colorization options for <paramref name="model"/>, or a usage error: <c>--model-size</c> is for the ONNX
    /// models and <c>--render-size</c> for the 2016 network, so giving one to the other is refused instead of ignored.
    /// </summary>
    public static ColorizationOptions? Resolve(ParseResult parse, ColorModel model, Option<int> renderSize, Option<int?> modelSize,
        double temperature, double saturation, out string? error)
    {
        error = null;
        int? size = parse.GetValue(modelSize);
        if (!model.IsOnnxFile)
        {
            if (size is not null)
            {
                error = $"--model-size applies to the DDColor and DeOldify models; {model.Id} takes --render-size.";
                return null;
            }
            return new ColorizationOptions { Temperature = temperature, Saturation = saturation, RenderSize = parse.GetValue(renderSize) };
        }
        if (parse.GetResult(renderSize) is { Implicit: false })
        {
            error = $"--render-size applies to the eccv16 network; {model.Id} takes --model-size ({model.InputSizesText}).";
            return null;
        }
        return ColorizationOptions.For(model) with { Temperature = temperature, Saturation = saturation, RenderSize = size ?? model.DefaultInputSize };
    }
}
