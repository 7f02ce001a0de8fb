using System.Globalization;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Restoration;

namespace Colorizer.Web.Api;

/// <summary>
/// The query parameters of <c>POST /api/colorize</c>, parsed and validated. A value that is not a number, out of
/// range or unknown throws <see cref="InvalidColorizationOptionException"/> (422), like the engine's own validation.
/// An absent or empty parameter takes its default.
/// </summary>
internal sealed record ColorizeQuery(ColorizationOptions Options, OutputFormat Output,
    ReferenceTransferMode Transfer = ReferenceTransferMode.LuminanceBands, MetadataMode Metadata = MetadataMode.Keep)
{
    public const string Temperature = "temperature";
    public const string Saturation = "saturation";
    public const string RenderSize = "renderSize";
    public const string Model = "model";
    public const string ModelSize = "modelSize";
    public const string Format = "format";
    public const string TransferParameter = "transfer";
    public const string MetadataParameter = "metadata";
    public const string Restore = "restore";
    public const string RestoreStrength = "restoreStrength";

    /// <summary>The option name for the output format (the engine's options do not carry one).</summary>
    private const string FormatOption = "Format";

    /// <summary>The option name for the reference transfer mode.</summary>
    private const string TransferOption = "Transfer";

    /// <summary>The option names of the repairs, as <see cref="RestorationOptions.Validate"/> names them.</summary>
    private const string RestoreOption = "Restore";

    private const string RestoreStrengthOption = "RestoreStrength";

    /// <summary>The option name for what of the input's metadata the result keeps.</summary>
    private const string MetadataOption = "Metadata";

    /// <summary>The encoder's settings for <see cref="Metadata"/>.</summary>
    public EncoderOptions Encoder => EncoderOptions.Default with { Metadata = Metadata };

    public static ColorizeQuery Parse(string? temperature, string? saturation, string? renderSize, string? format, string? transfer = null,
        string? model = null, string? modelSize = null, string? metadata = null, string? restore = null, string? restoreStrength = null)
    {
        var chosen = string.IsNullOrWhiteSpace(model) ? ModelCatalogue.Eccv16 : ModelCatalogue.Find(model.Trim())
            ?? throw new InvalidColorizationOptionException(nameof(ColorizationOptions.Model),
                $"Model must be one of {ModelCatalogue.IdsText}; got '{UploadReader.Shorten(model)}'.");
        var defaults = ColorizationOptions.Default;
        // One size parameter per kind of model, so that a size meant for one is never silently ignored by another.
        if (!chosen.IsOnnxFile && !string.IsNullOrWhiteSpace(modelSize))
            throw new InvalidColorizationOptionException(ColorizationOptions.ModelSizeOption,
                $"{ColorizationOptions.ModelSizeOption} applies to the DDColor and DeOldify models; {chosen.Id} takes {RenderSize}.");
        if (chosen.IsOnnxFile && !string.IsNullOrWhiteSpace(renderSize))
            throw new InvalidColorizationOptionException(nameof(ColorizationOptions.RenderSize),
                $"{nameof(ColorizationOptions.RenderSize)} applies to the eccv16 network; {chosen.Id} takes {ModelSize} ({chosen.InputSizesText}).");
        if (!RestorationStepNames.TryParse(restore, out var steps, out string? unknownStep))
            throw new InvalidColorizationOptionException(RestoreOption,
                $"{RestoreOption} must be a comma-separated list of {RestorationStepNames.Choices}; got '{UploadReader.Shorten(unknownStep ?? "")}'.");
        var options = new ColorizationOptions
        {
            Model = chosen.Id,
            Temperature = ParseNumber(temperature, nameof(ColorizationOptions.Temperature), defaults.Temperature),
            Saturation = ParseNumber(saturation, nameof(ColorizationOptions.Saturation), defaults.Saturation),
            RenderSize = chosen.IsOnnxFile
                ? ParseInteger(modelSize, ColorizationOptions.ModelSizeOption, chosen.DefaultInputSize)
                : ParseInteger(renderSize, nameof(ColorizationOptions.RenderSize), defaults.RenderSize),
            Restoration = new RestorationOptions
            {
                Steps = steps,
                Strength = ParseNumber(restoreStrength, RestoreStrengthOption, RestorationOptions.DefaultStrength),
            },
        };
        options.Validate();

        var output = OutputFormat.Png;
        if (!string.IsNullOrWhiteSpace(format) && !ImageEncoder.TryParseFormat(format, out output))
            throw new InvalidColorizationOptionException(FormatOption,
                $"{FormatOption} must be png, jpeg (or jpg), webp or tiff (or tif); got '{UploadReader.Shorten(format)}'.");
        var mode = ReferenceTransferMode.LuminanceBands;
        if (!string.IsNullOrWhiteSpace(transfer))
        {
            mode = transfer.Trim().ToLowerInvariant() switch
            {
                "global" => ReferenceTransferMode.Global,
                "bands" => ReferenceTransferMode.LuminanceBands,
                _ => throw new InvalidColorizationOptionException(TransferOption,
                    $"{TransferOption} must be global or bands; got '{UploadReader.Shorten(transfer)}'."),
            };
        }
        var kept = MetadataMode.Keep;
        if (!string.IsNullOrWhiteSpace(metadata) && !MetadataModeNames.TryParse(metadata, out kept))
            throw new InvalidColorizationOptionException(MetadataOption,
                $"{MetadataOption} must be {MetadataModeNames.Choices}; got '{UploadReader.Shorten(metadata)}'.");
        return new ColorizeQuery(options, output, mode, kept);
    }

    /// <summary>The query parameter that sets an option of the engine (<c>RenderSize</c> → <c>renderSize</c>).</summary>
    public static string ParameterFor(string optionName) => optionName switch
    {
        nameof(ColorizationOptions.Temperature) => Temperature,
        nameof(ColorizationOptions.Saturation) => Saturation,
        nameof(ColorizationOptions.RenderSize) => RenderSize,
        nameof(ColorizationOptions.Model) => Model,
        ColorizationOptions.ModelSizeOption => ModelSize,
        FormatOption => Format,
        TransferOption => TransferParameter,
        MetadataOption => MetadataParameter,
        RestoreOption => Restore,
        RestoreStrengthOption => RestoreStrength,
        _ => optionName.Length == 0 ? optionName : char.ToLowerInvariant(optionName[0]) + optionName[1..],
    };

    private static double ParseNumber(string? text, string option, double fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new InvalidColorizationOptionException(option, $"{option} must be a number; got '{UploadReader.Shorten(text)}'.");
        return value;
    }

    private static int ParseInteger(string? text, string option, int fallback)
    {
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new InvalidColorizationOptionException(option, $"{option} must be a whole number; got '{UploadReader.Shorten(text)}'.");
        return value;
    }
}
