using System.Globalization;

namespace Colorizer.Core.Restoration;

/// <summary>Which repairs to make before colorizing, and how strongly. Immutable and validated.</summary>
public sealed record RestorationOptions
{
    /// <summary>The default strength.</summary>
    public const double DefaultStrength = 0.5;

    /// <summary>The steps; none by default. They run in the order dust, scratches, noise, contrast.</summary>
    public RestorationSteps Steps { get; init; } = RestorationSteps.None;

    /// <summary>
    /// How strong the noise and contrast repairs are, from 0 (gentlest) to 1; default 0.5. Dust and scratches are found
    /// by their shape and contrast, not by the strength.
    /// </summary>
    public double Strength { get; init; } = DefaultStrength;

    /// <summary>No repair.</summary>
    public static RestorationOptions None { get; } = new();

    /// <summary>True when no step is on.</summary>
    public bool IsEmpty => Steps == RestorationSteps.None;

    /// <summary>Throws <see cref="InvalidColorizationOptionException"/> naming the value out of range.</summary>
    public void Validate()
    {
        if ((Steps & ~(RestorationSteps.Dust | RestorationSteps.Scratches | RestorationSteps.Noise | RestorationSteps.Contrast)) != 0)
            throw new InvalidColorizationOptionException("Restore", $"Restore must be a list of {RestorationStepNames.Choices}.");
        if (!(Strength >= 0 && Strength <= 1))
            throw new InvalidColorizationOptionException("RestoreStrength",
                $"RestoreStrength must be between 0 and 1; got {Strength.ToString("0.###", CultureInfo.InvariantCulture)}.");
    }

    /// <summary>"dust, noise (strength 0.5)": how a result's metadata records the repairs; "none" for none.</summary>
    public string Describe() => IsEmpty
        ? "none"
        : $"{RestorationStepNames.Format(Steps)} (strength {Strength.ToString("0.###", CultureInfo.InvariantCulture)})";
}
