namespace Colorizer.Core.Colorization;

/// <summary>
/// The precisions' names in settings and on the command line (<c>fp32</c>, <c>int8</c>), the only spellings accepted
/// there, as <see cref="InferenceBackendNames"/> does for the backends.
/// </summary>
public static class InferencePrecisionNames
{
    /// <summary>The name of <see cref="InferencePrecision.Fp32"/>.</summary>
    public const string Fp32 = "fp32";

    /// <summary>The name of <see cref="InferencePrecision.Int8"/>.</summary>
    public const string Int8 = "int8";

    /// <summary>Every name, in the order of the enum.</summary>
    public static IReadOnlyList<string> All { get; } = [Fp32, Int8];

    /// <summary>The names as a sentence says them: "fp32 or int8".</summary>
    public const string Choices = Fp32 + " or " + Int8;

    /// <summary>Reads a precision's name, ignoring case and surrounding spaces; false for anything else, numbers included.</summary>
    public static bool TryParse(string? text, out InferencePrecision precision)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Fp32:
                precision = InferencePrecision.Fp32;
                return true;
            case Int8:
                precision = InferencePrecision.Int8;
                return true;
            default:
                precision = InferencePrecision.Fp32;
                return false;
        }
    }
}
