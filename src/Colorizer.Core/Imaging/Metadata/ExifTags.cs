namespace Colorizer.Core.Imaging.Metadata;

/// <summary>The TIFF and EXIF tag numbers Colorizer reads or writes.</summary>
internal static class ExifTags
{
    public const ushort Orientation = 0x0112;
    public const ushort XResolution = 0x011A;
    public const ushort YResolution = 0x011B;
    public const ushort ResolutionUnit = 0x0128;
    public const ushort Software = 0x0131;
    public const ushort Xmp = 0x02BC;
    public const ushort Iptc = 0x83BB;
    public const ushort IccProfile = 0x8773;
    public const ushort ExifIfd = 0x8769;
    public const ushort GpsIfd = 0x8825;
    public const ushort InteropIfd = 0xA005;
    public const ushort MakerNote = 0x927C;
    public const ushort PixelXDimension = 0xA002;
    public const ushort PixelYDimension = 0xA003;

    /// <summary>The directories followed when reading.</summary>
    public static ReadOnlySpan<ushort> Pointers => [ExifIfd, GpsIfd, InteropIfd];

    /// <summary>
    /// Tags of IFD0 that describe how the pixels of that file are stored (or its thumbnail), or that Colorizer writes
    /// itself: they are never copied from an input, which keeps only what describes the picture.
    /// </summary>
    public static bool IsStructuralOrOwn(ushort tag) => tag switch
    {
        254 or 255 or 256 or 257 or 258 or 259 or 262 or 263 or 266 or 273 or 277 or 278 or 279 or 280 or 281 or 284
            or 292 or 293 or 297 or 317 or 320 or 322 or 323 or 324 or 325 or 330 or 338 or 339 or 340 or 341 or 347
            or 513 or 514 or 529 or 530 or 531 or 532 => true,
        Orientation or XResolution or YResolution or ResolutionUnit or Software or Xmp or Iptc or IccProfile => true,
        0x8649 => true, // Photoshop's image resources: pixel-specific (layers, paths); IPTC is taken from 33723.
        _ => false,
    };
}
