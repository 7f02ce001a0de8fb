using System.Text;
using Colorizer.Core.Imaging;

namespace Colorizer.Core.Tests.Imaging;

public class ImageFormatDetectorTests
{
    public static TheoryData<string, ImageFormat> Encodings => new()
    {
        { ".jpg", ImageFormat.Jpeg },
        { ".png", ImageFormat.Png },
        { ".webp", ImageFormat.WebP },
        { ".bmp", ImageFormat.Bmp },
        { ".tiff", ImageFormat.Tiff },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Detect_and_Identify_recognise_each_supported_format_encoded_by_OpenCV(string extension, ImageFormat expected)
    {
        var bytes = ImagingTestData.Encode(extension);

        Assert.Equal(expected, ImageFormatDetector.Detect(bytes));
        Assert.Equal(expected, ImageFormatDetector.Identify(bytes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Detect_recognises_big_endian_and_little_endian_tiff(bool littleEndian)
    {
        var bytes = ImagingTestData.HandMadeTiff(5, 3, littleEndian, sizesAsLong: false);

        Assert.Equal(ImageFormat.Tiff, ImageFormatDetector.Detect(bytes));
    }

    [Fact]
    public void Detect_recognises_a_jpeg_whose_first_segment_is_exif_rather_than_jfif()
    {
        var jpeg = ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg"), ImagingTestData.ExifBlock(true, 6));

        Assert.Equal(ImageFormat.Jpeg, ImageFormatDetector.Detect(jpeg));
    }

    [Fact]
    public void Detect_rejects_BM_text_that_has_no_bitmap_header()
    {
        var bytes = "BMW is a car maker, and this is a long enough text file."u8.ToArray();

        Assert.Null(ImageFormatDetector.Detect(bytes));
        var ex = Assert.Throws<UnsupportedImageFormatException>(() => ImageFormatDetector.Identify(bytes));
        Assert.Contains("text", ex.Message);
    }

    [Fact]
    public void Identify_throws_InvalidImageException_for_empty_input()
    {
        var ex = Assert.Throws<InvalidImageException>(() => ImageFormatDetector.Identify([]));

        Assert.Equal("The file is empty (0 bytes).", ex.Message);
        Assert.Null(ImageFormatDetector.Detect([]));
    }

    public static TheoryData<string, string> Unsupported => new()
    {
        { "GIF89a", "a GIF image" },
        { "GIF87a", "a GIF image" },
        { "P5\n37 11\n255\n", "a PNM/PxM image" },
        { "P6\n37 11\n255\n", "a PNM/PxM image" },
        { "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n", "a Radiance HDR image" },
        { "\0\0\0\u000CjP  \r\n\u0087\n\0\0\0\u0014ftypjp2 ", "a JPEG 2000 image" },
        { "\u00FFO\u00FFQ\0\u002F\0\0", "a JPEG 2000 image" },
        { "v/1\u0001\u0002\0\0\0channels", "an OpenEXR image" },
        { "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", "an SVG/XML document" },
        { "\uFEFF  <svg width=\"10\" height=\"10\"></svg>", "an SVG/XML document" },
        { "\u0059\u00A6\u006A\u0095\0\0\0\u0025", "a Sun Raster image" },
        { "%PDF-1.7\n", "a PDF document" },
        { "PK\u0003\u0004\u0014\0\0\0\u0008\0", "a ZIP archive" },
        { "\u001F\u008B\u0008\0\0\0\0\0", "a GZIP archive" },
        { "\0\0\0\u0018ftypheic\0\0\0\0mif1heic", "a HEIC/HEIF image" },
        { "\0\0\0\u001CftypavifmifAmiaf", "an AVIF image" },
        { "Hello, this is not a photo, just a text file renamed to photo.jpg.\r\n", "a text file" },
        { "Grüße aus Köln — UTF-8 text.\n", "a text file" },
        { "<!DOCTYPE html><html><body>404</body></html>", "an HTML document" },
        { "RIFF\u0024\0\0\0WAVEfmt ", "not WebP" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Identify_rejects_unsupported_input_naming_what_it_looks_like_and_the_supported_formats(string content, string description)
    {
        var bytes = ToBytes(content);

        Assert.Null(ImageFormatDetector.Detect(bytes));
        var ex = Assert.Throws<UnsupportedImageFormatException>(() => ImageFormatDetector.Identify(bytes));
        Assert.Contains(description, ex.Message);
        Assert.EndsWith("; supported formats are JPEG, PNG, WebP, BMP and TIFF.", ex.Message);
    }

    [Fact]
    public void Identify_message_for_a_gif_reads_naturally()
    {
        var ex = Assert.Throws<UnsupportedImageFormatException>(() => ImageFormatDetector.Identify("GIF89a\u0001\0\u0001\0"u8));

        Assert.Equal("The file is a GIF image; supported formats are JPEG, PNG, WebP, BMP and TIFF.", ex.Message);
    }

    [Fact]
    public void Identify_rejects_unrecognisable_binary_without_guessing()
    {
        byte[] bytes = [0x00, 0x13, 0x37, 0xC0, 0xDE, 0x00, 0x01, 0x02, 0xFE];

        var ex = Assert.Throws<UnsupportedImageFormatException>(() => ImageFormatDetector.Identify(bytes));

        Assert.Equal("The file is not in a recognised image format; supported formats are JPEG, PNG, WebP, BMP and TIFF.", ex.Message);
    }

    [Fact]
    public void Inputs_of_one_to_three_bytes_never_throw_anything_but_the_documented_exceptions()
    {
        var samples = new List<byte[]>();
        for (var b = 0; b < 256; b++)
        {
            samples.Add([(byte)b]);
            samples.Add([(byte)b, (byte)b]);
        }

        // Prefixes of every magic number we know, which are the likeliest to trip a careless index.
        foreach (var magic in new[] { "\u00FF\u00D8\u00FF", "\u0089PN", "RIF", "BM", "II*", "MM\0", "GIF", "P5", "#?R", "\u00FFO\u00FF", "v/1", "PK\u0003", "\u001F\u008B", "\0\0\0" })
        {
            var full = ToBytes(magic);
            for (var n = 1; n <= full.Length; n++)
            {
                samples.Add(full[..n]);
            }
        }

        foreach (var sample in samples)
        {
            _ = ImageFormatDetector.Detect(sample);
            try
            {
                _ = ImageFormatDetector.Identify(sample);
            }
            catch (UnsupportedImageFormatException)
            {
            }

            foreach (var format in Enum.GetValues<ImageFormat>())
            {
                Assert.False(ImageHeader.TryReadSize(sample, format, out _, out _));
                Assert.Equal(1, ExifOrientation.Read(sample, format));
            }
        }

        Assert.Equal(ImageFormat.Jpeg, ImageFormatDetector.Detect([0xFF, 0xD8, 0xFF]));
    }

    // Characters up to U+00FF stand for single bytes; anything above is encoded as UTF-8.
    private static byte[] ToBytes(string content) =>
        content.Any(c => c > 0xFF) ? Encoding.UTF8.GetBytes(content) : Encoding.Latin1.GetBytes(content);
}
