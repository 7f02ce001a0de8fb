namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// What every result says about itself, so an archive can tell a colorized copy from the original: the EXIF
/// <c>Software</c> tag and an XMP note with when, with which model and with which options it was colorized.
/// </summary>
public sealed record ColorizationMark
{
    /// <summary>"Colorizer" and its version, for EXIF <c>Software</c>.</summary>
    public required string Software { get; init; }

    /// <summary>The model that predicted the colours.</summary>
    public required string Model { get; init; }

    /// <summary>The options, as <c>name=value</c> pairs separated by "; ".</summary>
    public required string Options { get; init; }

    /// <summary>How many colour hints guided the result.</summary>
    public int Hints { get; init; }

    /// <summary>True when a reference photo's palette was used.</summary>
    public bool ReferencePhoto { get; init; }

    /// <summary>The repairs made before colorizing ("dust,noise (strength 0.5)"), or "none".</summary>
    public string Restoration { get; init; } = "none";

    /// <summary>When the result was made.</summary>
    public DateTimeOffset When { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>"Colorizer 1.2.3": the product and the version of this library.</summary>
    public static string ProductVersion { get; } = ReadProductVersion();

    private static string ReadProductVersion()
    {
        var assembly = typeof(ColorizationMark).Assembly;
        string version = System.Reflection.CustomAttributeExtensions
            .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0";
        // Build metadata (a commit hash after '+') is not part of the version a reader wants.
        int plus = version.IndexOf('+');
        return $"Colorizer {(plus < 0 ? version : version[..plus])}";
    }
}
