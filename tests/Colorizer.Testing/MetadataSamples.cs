using System.Buffers.Binary;
using System.Text;
using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>
/// Test photos that carry metadata, written by exiftool (not by Colorizer): EXIF with camera, date, artist, a rotation
/// (Orientation 6), 300 dpi, GPS and a thumbnail; XMP with a title and an XMP GPS latitude; IPTC with a caption; an RGB
/// ICC profile.
/// </summary>
public static class MetadataSamples
{
    public const string Make = "Kodak";
    public const string Model = "Brownie";
    public const string Artist = "A. Archivist";
    public const string DateTimeOriginal = "1952:07:14 10:30:00";
    public const string Title = "Picnic 1952";
    public const string Caption = "Family picnic";
    public const string ProfileCopyright = "Colorizer test profile";
    public const double Dpi = 300;

    /// <summary>The stored (unrotated) size; Orientation 6 turns it upright as <see cref="Height"/>×<see cref="Width"/>.</summary>
    public const int Width = 64;

    public const int Height = 48;

    /// <summary>
    /// Writes a grey photo as <paramref name="extension"/> (".jpg", ".png", ".webp", ".tif") in <paramref name="directory"/>
    /// with the sample metadata, and returns its path. IPTC goes only where it has a standard place (JPEG, TIFF).
    /// </summary>
    public static string Write(string directory, string extension, bool sixteenBit = false, string profileColorSpace = "RGB ")
    {
        string path = Path.Combine(directory, "sample" + extension);
        using (var grey = TestImages.Gradient(Width, Height, 40, 220))
        using (var deep = new Mat())
        {
            var pixels = grey;
            if (sixteenBit)
            {
                grey.ConvertTo(deep, MatType.CV_16UC1, 257);
                pixels = deep;
            }
            File.WriteAllBytes(path, TestImages.Encode(pixels, extension));
        }
        string profile = Path.Combine(directory, "profile.icc");
        File.WriteAllBytes(profile, RgbProfile(profileColorSpace));
        string thumbnail = Path.Combine(directory, "thumbnail.jpg");
        using (var small = TestImages.Flat(16, 12, 128))
            File.WriteAllBytes(thumbnail, TestImages.Encode(small, ".jpg"));
        var arguments = new List<string>
        {
            "-q", "-q", "-overwrite_original",
            $"-EXIF:Make={Make}", $"-EXIF:Model={Model}", $"-EXIF:Artist={Artist}", $"-EXIF:DateTimeOriginal={DateTimeOriginal}",
            "-EXIF:Orientation#=6", $"-EXIF:XResolution={Dpi}", $"-EXIF:YResolution={Dpi}", "-EXIF:ResolutionUnit=inches",
            "-GPSLatitude=48.85", "-GPSLatitudeRef=N", "-GPSLongitude=2.35", "-GPSLongitudeRef=E",
            $"-XMP-dc:Title={Title}", "-XMP-exif:GPSLatitude=48,51.0N",
            $"-ICC_Profile<={profile}", $"-ThumbnailImage<={thumbnail}",
        };
        if (extension is ".jpg" or ".tif")
            arguments.Add($"-IPTC:Caption-Abstract={Caption}");
        if (extension == ".png")
            arguments.AddRange(["-PNG-pHYs:PixelsPerUnitX=11811", "-PNG-pHYs:PixelsPerUnitY=11811", "-PNG-pHYs:PixelUnits=meters"]);
        arguments.Add(path);
        ExifTool.Run([.. arguments]);
        return path;
    }

    /// <summary>A minimal display profile (RGB unless told): the 128-byte header and one <c>cprt</c> text tag.</summary>
    public static byte[] RgbProfile(string colorSpace = "RGB ")
    {
        byte[] text = [.. "text"u8, 0, 0, 0, 0, .. Encoding.ASCII.GetBytes(ProfileCopyright), 0];
        int offset = 128 + 4 + 12;
        var profile = new byte[offset + text.Length];
        BinaryPrimitives.WriteUInt32BigEndian(profile, (uint)profile.Length);
        "none"u8.CopyTo(profile.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(profile.AsSpan(8), 0x02100000);
        "mntr"u8.CopyTo(profile.AsSpan(12));
        Encoding.ASCII.GetBytes(colorSpace).CopyTo(profile.AsSpan(16));
        "XYZ "u8.CopyTo(profile.AsSpan(20));
        "acsp"u8.CopyTo(profile.AsSpan(36));
        // The PCS illuminant, D50, as libpng checks.
        BinaryPrimitives.WriteInt32BigEndian(profile.AsSpan(68), 0x0000F6D6);
        BinaryPrimitives.WriteInt32BigEndian(profile.AsSpan(72), 0x00010000);
        BinaryPrimitives.WriteInt32BigEndian(profile.AsSpan(76), 0x0000D32D);
        BinaryPrimitives.WriteUInt32BigEndian(profile.AsSpan(128), 1);
        "cprt"u8.CopyTo(profile.AsSpan(132));
        BinaryPrimitives.WriteUInt32BigEndian(profile.AsSpan(136), (uint)offset);
        BinaryPrimitives.WriteUInt32BigEndian(profile.AsSpan(140), (uint)text.Length);
        text.CopyTo(profile.AsSpan(offset));
        return profile;
    }
}
