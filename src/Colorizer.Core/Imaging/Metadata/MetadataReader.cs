using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// Reads what an image file carries besides its pixels (<see cref="ImageMetadata"/>): from JPEG (APP0 density, APP1
/// EXIF and XMP, APP2 ICC, APP13 IPTC), PNG (<c>eXIf</c>, <c>iTXt</c> XMP, <c>iCCP</c>, <c>pHYs</c>), WebP (<c>EXIF</c>,
/// <c>XMP </c>, <c>ICCP</c>), TIFF (its own tags) and BMP (resolution). The raw bytes are needed to copy them, so the
/// containers are walked here rather than through a reader that hands back only values. Never throws: what is malformed
/// is left out.
/// </summary>
public static class MetadataReader
{
    // A decompressed PNG profile larger than this is dropped: ICC profiles are kilobytes, and a zlib bomb must not cost memory.
    private const int MaxProfileBytes = 8 << 20;

    private static ReadOnlySpan<byte> ExifHeader => "Exif\0\0"u8;
    private static ReadOnlySpan<byte> XmpHeader => "http://ns.adobe.com/xap/1.0/\0"u8;
    private static ReadOnlySpan<byte> IccHeader => "ICC_PROFILE\0"u8;
    private static ReadOnlySpan<byte> PhotoshopHeader => "Photoshop 3.0\0"u8;
    private const string XmpKeyword = "XML:com.adobe.xmp";

    /// <summary>Reads the metadata of <paramref name="data"/>, a whole file of <paramref name="format"/>.</summary>
    public static ImageMetadata Read(ReadOnlySpan<byte> data, ImageFormat format)
    {
        var found = new Found();
        switch (format)
        {
            case ImageFormat.Jpeg:
                ReadJpeg(data, found);
                break;
            case ImageFormat.Png:
                ReadPng(data, found);
                break;
            case ImageFormat.WebP:
                ReadWebP(data, found);
                break;
            case ImageFormat.Tiff:
                ReadTiff(data, found);
                break;
            case ImageFormat.Bmp:
                ReadBmp(data, found);
                break;
        }
        return found.ToMetadata();
    }

    private sealed class Found
    {
        public TiffIfd? Exif;
        public string? Xmp;
        public byte[]? Iptc;
        public byte[]? Icc;
        public Resolution? Resolution;
        public Resolution? ExifResolution;

        public ImageMetadata ToMetadata()
        {
            var resolution = Resolution is { IsValid: true } own ? own : ExifResolution is { IsValid: true } exif ? exif : (Resolution?)null;
            var icc = IsWholeProfile(Icc) ? Icc : null;
            return Exif is null && Xmp is null && Iptc is null && icc is null && resolution is null
                ? ImageMetadata.None
                : new ImageMetadata(Exif, Xmp, Iptc, icc, resolution);
        }

        // An EXIF block (a TIFF structure): IFD0's descriptive tags and the sub-directories; its resolution as a fallback.
        public void AddExif(ReadOnlySpan<byte> tiff)
        {
            if (Exif is not null || TiffIfd.ReadIfd0(tiff, ExifTags.Pointers) is not { } ifd0)
                return;
            ExifResolution = ResolutionOf(ifd0);
            ifd0.Entries.RemoveAll(e => ExifTags.IsStructuralOrOwn(e.Tag));
            if (ifd0.Entries.Count > 0 || ifd0.SubIfds.Count > 0)
                Exif = ifd0;
        }

        public void AddXmp(ReadOnlySpan<byte> packet)
        {
            if (Xmp is null && packet.Length > 0)
                Xmp = Encoding.UTF8.GetString(packet).TrimEnd('\0');
        }
    }

    // A profile cut short (a truncated file, a missing JPEG chunk) would be a corrupt profile in the result: it must have
    // the size its header declares and the "acsp" signature.
    private static bool IsWholeProfile(byte[]? profile) =>
        profile is { Length: >= 128 } && BinaryPrimitives.ReadUInt32BigEndian(profile) == profile.Length && profile.AsSpan(36, 4).SequenceEqual("acsp"u8);

    private static Resolution? ResolutionOf(TiffIfd ifd)
    {
        if (ifd.Find(ExifTags.XResolution)?.FirstNumber() is not { } x || ifd.Find(ExifTags.YResolution)?.FirstNumber() is not { } y)
            return null;
        // ResolutionUnit: 1 none, 2 inch (the default), 3 centimetre.
        return (ifd.Find(ExifTags.ResolutionUnit)?.FirstNumber() ?? 2) switch
        {
            2 => new Resolution(x, y),
            3 => Metadata.Resolution.FromPerCentimetre(x, y),
            _ => null,
        };
    }

    private static void ReadJpeg(ReadOnlySpan<byte> data, Found found)
    {
        var iccChunks = new SortedDictionary<int, byte[]>();
        int pos = 2;
        while (JpegSegments.TryNext(data, ref pos, out byte marker, out var range))
        {
            var payload = data[range];
            switch (marker)
            {
                case 0xE0 when payload.StartsWith("JFIF\0"u8) && payload.Length >= 12:
                    // Units: 1 dots per inch, 2 per centimetre; 0 is an aspect ratio only.
                    double x = BinaryPrimitives.ReadUInt16BigEndian(payload[8..]), y = BinaryPrimitives.ReadUInt16BigEndian(payload[10..]);
                    found.Resolution ??= payload[7] switch
                    {
                        1 => new Resolution(x, y),
                        2 => Resolution.FromPerCentimetre(x, y),
                        _ => null,
                    };
                    break;
                case 0xE1 when payload.StartsWith(ExifHeader):
                    found.AddExif(payload[ExifHeader.Length..]);
                    break;
                case 0xE1 when payload.StartsWith(XmpHeader):
                    found.AddXmp(payload[XmpHeader.Length..]);
                    break;
                case 0xE2 when payload.StartsWith(IccHeader) && payload.Length > IccHeader.Length + 2:
                    // Profiles over 64 KB are split; each chunk says its place (from 1) and how many there are.
                    iccChunks.TryAdd(payload[IccHeader.Length], payload[(IccHeader.Length + 2)..].ToArray());
                    break;
                case 0xED when payload.StartsWith(PhotoshopHeader):
                    found.Iptc ??= IptcFromPhotoshop(payload[PhotoshopHeader.Length..]);
                    break;
            }
        }
        if (iccChunks.Count > 0)
            found.Icc = [.. iccChunks.Values.SelectMany(c => c)];
    }

    // Photoshop image resources: "8BIM", a 2-byte id, a padded Pascal name, a 4-byte size, data padded to even. 0x0404 is IPTC.
    private static byte[]? IptcFromPhotoshop(ReadOnlySpan<byte> resources)
    {
        int pos = 0;
        while (pos + 12 <= resources.Length && resources.Slice(pos, 4).SequenceEqual("8BIM"u8))
        {
            int id = BinaryPrimitives.ReadUInt16BigEndian(resources[(pos + 4)..]);
            int nameLength = resources[pos + 6];
            int sizeAt = pos + 6 + ((nameLength + 2) & ~1);
            if (sizeAt + 4 > resources.Length)
                return null;
            uint size = BinaryPrimitives.ReadUInt32BigEndian(resources[sizeAt..]);
            int start = sizeAt + 4;
            if (size > resources.Length - start)
                return null;
            if (id == 0x0404 && size > 0)
                return resources.Slice(start, (int)size).ToArray();
            pos = start + (int)size + (int)(size & 1);
        }
        return null;
    }

    private static void ReadPng(ReadOnlySpan<byte> data, Found found)
    {
        long pos = 8;
        while (PngChunks.TryNext(data, ref pos, out uint type, out var range))
        {
            var payload = data[range];
            if (type == PngChunks.Type("eXIf"u8))
            {
                found.AddExif(payload.StartsWith(ExifHeader) ? payload[ExifHeader.Length..] : payload);
            }
            else if (type == PngChunks.Type("pHYs"u8) && payload.Length >= 9 && payload[8] == 1)
            {
                // Pixels per metre.
                double x = BinaryPrimitives.ReadUInt32BigEndian(payload), y = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
                found.Resolution = new Resolution(x * 0.0254, y * 0.0254);
            }
            else if (type == PngChunks.Type("iCCP"u8))
            {
                // A profile name (Latin-1, NUL-terminated), the compression method (0, zlib), the compressed profile.
                int nul = payload.IndexOf((byte)0);
                if (nul > 0 && nul + 2 <= payload.Length && payload[nul + 1] == 0)
                    found.Icc ??= Inflate(payload[(nul + 2)..]);
            }
            else if (type == PngChunks.Type("iTXt"u8))
            {
                ReadPngXmp(payload, found);
            }
        }
    }

    // iTXt: keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text (UTF-8).
    private static void ReadPngXmp(ReadOnlySpan<byte> payload, Found found)
    {
        int nul = payload.IndexOf((byte)0);
        if (nul < 0 || !payload[..nul].SequenceEqual(Encoding.Latin1.GetBytes(XmpKeyword)) || nul + 3 > payload.Length)
            return;
        bool compressed = payload[nul + 1] == 1;
        var rest = payload[(nul + 3)..];
        int language = rest.IndexOf((byte)0);
        if (language < 0)
            return;
        rest = rest[(language + 1)..];
        int translated = rest.IndexOf((byte)0);
        if (translated < 0)
            return;
        var text = rest[(translated + 1)..];
        if (!compressed)
            found.AddXmp(text);
        else if (Inflate(text) is { } inflated)
            found.AddXmp(inflated);
    }

    private static byte[]? Inflate(ReadOnlySpan<byte> zlib)
    {
        try
        {
            using var input = new MemoryStream(zlib.ToArray());
            using var inflater = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = inflater.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxProfileBytes)
                    return null;
                output.Write(buffer, 0, read);
            }
            return output.Length == 0 ? null : output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static void ReadWebP(ReadOnlySpan<byte> data, Found found)
    {
        if (!RiffChunks.IsWebP(data))
            return;
        long pos = 12;
        while (RiffChunks.TryNext(data, ref pos, out uint type, out var range))
        {
            var payload = data[range];
            if (type == RiffChunks.Type("EXIF"u8))
                found.AddExif(payload.StartsWith(ExifHeader) ? payload[ExifHeader.Length..] : payload);
            else if (type == RiffChunks.Type("XMP "u8))
                found.AddXmp(payload);
            else if (type == RiffChunks.Type("ICCP"u8) && payload.Length > 0)
                found.Icc ??= payload.ToArray();
        }
    }

    private static void ReadTiff(ReadOnlySpan<byte> data, Found found)
    {
        if (TiffIfd.ReadIfd0(data, ExifTags.Pointers) is not { } ifd0)
            return;
        found.Resolution = ResolutionOf(ifd0);
        if (ifd0.Find(ExifTags.Xmp) is { } xmp)
            found.AddXmp(xmp.Value);
        if (ifd0.Find(ExifTags.Iptc) is { } iptc)
            found.Iptc = iptc.Value;
        if (ifd0.Find(ExifTags.IccProfile) is { } icc)
            found.Icc = icc.Value;
        // The file's own IFD0 is its EXIF IFD0: what describes the picture stays, what stores the pixels goes.
        ifd0.Entries.RemoveAll(e => ExifTags.IsStructuralOrOwn(e.Tag));
        if (ifd0.Entries.Count > 0 || ifd0.SubIfds.Count > 0)
            found.Exif = ifd0;
    }

    // BITMAPINFOHEADER and later: pixels per metre at offsets 38 and 42.
    private static void ReadBmp(ReadOnlySpan<byte> data, Found found)
    {
        if (data.Length < 46 || BinaryPrimitives.ReadUInt32LittleEndian(data[14..]) < 40)
            return;
        int x = BinaryPrimitives.ReadInt32LittleEndian(data[38..]), y = BinaryPrimitives.ReadInt32LittleEndian(data[42..]);
        if (x > 0 && y > 0)
            found.Resolution = new Resolution(x * 0.0254, y * 0.0254);
    }
}
