namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// The metadata to write into one result: what <see cref="MetadataMode"/> keeps of the input, with Orientation 1 (the
/// pixels are upright), the output's pixel size, and the colorized mark (EXIF <c>Software</c>, the XMP note).
/// </summary>
/// <param name="Exif">IFD0's tags and sub-directories, without resolution (each container writes that its own way).</param>
/// <param name="Xmp">The packet, with the note.</param>
/// <param name="Iptc">The IPTC-IIM records, or null.</param>
/// <param name="IccProfile">The RGB profile, or null.</param>
/// <param name="Resolution">The resolution, or null.</param>
internal sealed record OutputMetadata(TiffIfd Exif, string Xmp, byte[]? Iptc, byte[]? IccProfile, Resolution? Resolution)
{
    public static OutputMetadata Prepare(ImageMetadata source, MetadataMode mode, ColorizationMark mark, int width, int height)
    {
        bool keep = mode != MetadataMode.Strip;
        var exif = keep && source.Exif is { } input ? input.Clone() : new TiffIfd();
        if (mode == MetadataMode.StripLocation)
            exif.SubIfds.Remove(ExifTags.GpsIfd);
        exif.Set(TiffEntry.Ascii(ExifTags.Software, mark.Software));
        exif.Set(TiffEntry.Short(ExifTags.Orientation, 1));
        // An applied rotation swaps the sides the camera recorded.
        if (exif.SubIfds.TryGetValue(ExifTags.ExifIfd, out var exifIfd))
        {
            if (exifIfd.Find(ExifTags.PixelXDimension) is not null)
                exifIfd.Set(TiffEntry.Long(ExifTags.PixelXDimension, (uint)width));
            if (exifIfd.Find(ExifTags.PixelYDimension) is not null)
                exifIfd.Set(TiffEntry.Long(ExifTags.PixelYDimension, (uint)height));
        }
        string xmp = XmpNote.Build(keep ? source.Xmp : null, mark, stripLocation: mode == MetadataMode.StripLocation);
        return keep
            ? new OutputMetadata(exif, xmp, source.Iptc, IsRgbProfile(source.IccProfile) ? source.IccProfile : null, source.Resolution)
            : new OutputMetadata(exif, xmp, null, null, null);
    }

    // A result is always RGB: a grey scan's Gray profile would not fit it (readers refuse or ignore a profile of another
    // colour space), so the result is then plain sRGB, which is what the colours were computed in.
    private static bool IsRgbProfile(byte[]? profile) => profile is { Length: >= 128 } && profile.AsSpan(16, 4).SequenceEqual("RGB "u8);

    /// <summary>A copy of <see cref="Exif"/> with the resolution tags, for containers whose only place for it is EXIF.</summary>
    public TiffIfd ExifWithResolution()
    {
        var exif = Exif.Clone();
        if (Resolution is { } resolution)
            AddResolution(exif, resolution);
        return exif;
    }

    public static void AddResolution(TiffIfd ifd, Resolution resolution)
    {
        ifd.Set(TiffEntry.Rational(ExifTags.XResolution, resolution.X));
        ifd.Set(TiffEntry.Rational(ExifTags.YResolution, resolution.Y));
        ifd.Set(TiffEntry.Short(ExifTags.ResolutionUnit, 2));
    }

    /// <summary>
    /// The EXIF block (a TIFF structure) within <paramref name="maxBytes"/>: whole if it fits, else without the maker
    /// note (the part that grows largest), else only IFD0's own tags.
    /// </summary>
    public byte[] ExifBlock(int maxBytes)
    {
        var exif = ExifWithResolution();
        byte[] block = exif.ToTiffBlock();
        if (block.Length <= maxBytes)
            return block;
        if (exif.SubIfds.TryGetValue(ExifTags.ExifIfd, out var exifIfd))
        {
            exifIfd.Remove(ExifTags.MakerNote);
            block = exif.ToTiffBlock();
            if (block.Length <= maxBytes)
                return block;
        }
        exif.SubIfds.Clear();
        exif.Entries.RemoveAll(e => e.Value.Length > 1024);
        return exif.ToTiffBlock();
    }
}
