using System.Globalization;
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

    /// <summary>The defaults of the reference recipe.</summary>
    public static ColorizationOptions Default { get; } = new();

    /// <summary>Throws <see cref="InvalidColorizationOptionException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        ValidateTemperature(Temperature);
        ValidateSaturation(Saturation);
        if (RenderSize is < MinRenderSize or > MaxRenderSize || RenderSize % 8 != 0)
            throw new InvalidColorizationOptionException(nameof(RenderSize),
                $"RenderSize must be a multiple of 8 from {MinRenderSize} to {MaxRenderSize}; got {RenderSize}.");
        Restoration.Validate();
    }

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
