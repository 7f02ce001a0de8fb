namespace Colorizer.Core.Imaging.Metadata;

/// <summary>The names of <see cref="MetadataMode"/> in settings, on the command line and in the API.</summary>
public static class MetadataModeNames
{
    /// <summary><see cref="MetadataMode.Keep"/>.</summary>
    public const string Keep = "keep";

    /// <summary><see cref="MetadataMode.Strip"/>.</summary>
    public const string Strip = "strip";

    /// <summary><see cref="MetadataMode.StripLocation"/>.</summary>
    public const string StripLocation = "strip-location";

    /// <summary>Every name, in the order they are offered.</summary>
    public static IReadOnlyList<string> All { get; } = [Keep, Strip, StripLocation];

    /// <summary>The names for a message: "keep, strip or strip-location".</summary>
    public static string Choices => $"{Keep}, {Strip} or {StripLocation}";

    /// <summary>Parses a name (any case, surrounding spaces ignored); false for anything else.</summary>
    public static bool TryParse(string? text, out MetadataMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Keep: mode = MetadataMode.Keep; return true;
            case Strip: mode = MetadataMode.Strip; return true;
            case StripLocation: mode = MetadataMode.StripLocation; return true;
            default: mode = MetadataMode.Keep; return false;
        }
    }

    /// <summary>The name of <paramref name="mode"/>.</summary>
    public static string Of(MetadataMode mode) => mode switch
    {
        MetadataMode.Strip => Strip,
        MetadataMode.StripLocation => StripLocation,
        _ => Keep,
    };
}
