namespace Colorizer.Core.Imaging.Metadata;

/// <summary>What of the input's metadata goes into the result. The colorized mark is written in every mode.</summary>
public enum MetadataMode
{
    /// <summary>Everything the input carried (EXIF but its thumbnail, XMP, IPTC, ICC profile, resolution). The default.</summary>
    Keep,

    /// <summary>Everything but location: EXIF's GPS directory and XMP's <c>exif:GPS…</c> properties are left out.</summary>
    StripLocation,

    /// <summary>Nothing of the input: only the colorized mark.</summary>
    Strip,
}
