using System.Globalization;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Restoration;

namespace Colorizer.Core.Colorization;

/// <summary>
/// What a colorization looks like. Immutable and validated: an out-of-range value is an error, never a silent clamp.
/// </summary>
public sealed record ColorizationOptions
{
    /// <summary>The release's annealed-mean temperature (the prototxt's scale of 2.606 = 1/0.38).</summary>
    public const double DefaultTemperature = 0.38;

    /// <summary>The side the network was trained at.</summary>
    public const int DefaultRenderSize = 224;

    /// <summary>The smallest accepted render size.</summary>
    public const int MinRenderSize = 128;

    /// <summary>The largest accepted render size.</summary>
    public const int MaxRenderSize = 1024;

    /// <summary>The largest saturation multiplier.</summary>
    public const double MaxSaturation = 2.0;

    /// <summary>
    /// The temperature of the annealed mean, in (0, 1]; default 0.38. Lower is more vivid (towards the mode),
    /// 1 is the plain mean (desaturated). Changing it does not run the network again.
    /// </summary>
    public double Temperature { get; init; } = DefaultTemperature;

    /// <summary>A multiplier on the predicted ab, in [0, 2]; default 1. 0 gives the grey input back.</summary>
    public double Saturation { get; init; } = 1.0;

    /// <summary>
    /// The side of the square network input: a multiple of 8 from 128 to 1024; default 224. Larger keeps finer colour
    /// detail at a cost that grows with its square.
    /// </summary>
    public int RenderSize { get; init; } = DefaultRenderSize;

    /// <summary>
    /// Repairs made to the lightness before the first colorization (<see cref="PhotoRestorer"/>); none by default. A
    /// re-render or re-colorization of an existing result keeps the repairs it was made with.
    /// </summary>
    public RestorationOptions Restoration { get; init; } = RestorationOptions.None;

    /// <summary>
    /// The id of the model in <see cref="ModelCatalogue"/>; default <c>eccv16</c>, the 2016 network. For the DDColor and
    /// DeOldify models <see cref="RenderSize"/> must be one of the model's input sizes (see <see cref="For"/>), and the
    /// temperature has nothing to act on (they predict one colour per cell, not a distribution).
    /// </summary>
    public string Model { get; init; } = ModelCatalogue.DefaultId;

    /// <summary>The defaults of the reference recipe.</summary>
    public static ColorizationOptions Default { get; } = new();

    /// <summary>The defaults for <paramref name="model"/>: its id and its default input size.</summary>
    public static ColorizationOptions For(ColorModel model) => new() { Model = model.Id, RenderSize = model.DefaultInputSize };

    /// <summary>Throws <see cref="InvalidColorizationOptionException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        ValidateTemperature(Temperature);
        ValidateSaturation(Saturation);
        var model = ModelCatalogue.Get(Model);
        if (model.IsOnnxFile && !model.InputSizes.Contains(RenderSize))
            throw new InvalidColorizationOptionException(ModelSizeOption,
                $"The {model.Id} model runs at {model.InputSizesText}; got {RenderSize}.");
        if (RenderSize is < MinRenderSize or > MaxRenderSize || RenderSize % 8 != 0)
            throw new InvalidColorizationOptionException(nameof(RenderSize),
                $"RenderSize must be a multiple of 8 from {MinRenderSize} to {MaxRenderSize}; got {RenderSize}.");
        Restoration.Validate();
    }

    /// <summary>The name under which an ONNX model's input size is reported (hosts spell it <c>modelSize</c>, <c>--model-size</c>).</summary>
    public const string ModelSizeOption = "ModelSize";

    internal static void ValidateTemperature(double temperature)
    {
        if (!(temperature > 0 && temperature <= 1))
            throw new InvalidColorizationOptionException(nameof(Temperature),
                $"Temperature must be greater than 0 and at most 1; got {Format(temperature)}.");
    }

    internal static void ValidateSaturation(double saturation)
    {
        if (!(saturation >= 0 && saturation <= MaxSaturation))
            throw new InvalidColorizationOptionException(nameof(Saturation),
                $"Saturation must be between 0 and {Format(MaxSaturation)}; got {Format(saturation)}.");
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
