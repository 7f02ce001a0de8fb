namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// What an input file carried besides its pixels: EXIF (without its thumbnail), XMP, IPTC, the ICC profile and the
/// resolution. Read at decoding (<see cref="MetadataReader"/>) and written into the result by the encoder, as the
/// <see cref="MetadataMode"/> says. Immutable.
/// </summary>
public sealed class ImageMetadata
{
    internal ImageMetadata(TiffIfd? exif, string? xmp, byte[]? iptc, byte[]? iccProfile, Resolution? resolution)
    {
        Exif = exif;
        Xmp = xmp;
        Iptc = iptc;
        IccProfile = iccProfile;
        Resolution = resolution;
    }

    /// <summary>Nothing at all.</summary>
    public static ImageMetadata None { get; } = new(null, null, null, null, null);

    // IFD0's descriptive tags with the EXIF, GPS and interoperability directories; never the thumbnail (IFD1).
    internal TiffIfd? Exif { get; }

    /// <summary>True when the input had EXIF tags.</summary>
    public bool HasExif => Exif is not null;

    /// <summary>True when the input's EXIF had a GPS directory.</summary>
    public bool HasGps => Exif?.SubIfds.ContainsKey(ExifTags.GpsIfd) == true;

    /// <summary>The XMP packet, as text, or null.</summary>
    public string? Xmp { get; }

    /// <summary>The IPTC-IIM records, or null.</summary>
    public byte[]? Iptc { get; }

    /// <summary>The ICC colour profile, or null.</summary>
    public byte[]? IccProfile { get; }

    /// <summary>The resolution, or null when the input did not say.</summary>
    public Resolution? Resolution { get; }

    /// <summary>True when there is nothing to keep.</summary>
    public bool IsEmpty => Exif is null && Xmp is null && Iptc is null && IccProfile is null && Resolution is null;
}
