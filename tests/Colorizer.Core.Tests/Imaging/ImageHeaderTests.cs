using System.Buffers.Binary;
using System.Diagnostics;
using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public class ImageHeaderTests
{
    public static TheoryData<string, int, int, int> Sizes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var ext in ImagingTestData.Extensions)
        {
            data.Add(ext, 37, 11, (int)MatType.CV_8UC3);
            data.Add(ext, 11, 37, (int)MatType.CV_8UC1);
            data.Add(ext, 640, 480, (int)MatType.CV_8UC3);
            data.Add(ext, 1, 1, (int)MatType.CV_8UC1);
        }

        data.Add(".png", 37, 11, (int)MatType.CV_16UC1);
        data.Add(".png", 53, 29, (int)MatType.CV_16UC3);
        data.Add(".tiff", 37, 11, (int)MatType.CV_16UC1);
        data.Add(".tiff", 53, 29, (int)MatType.CV_16UC3);
        data.Add(".png", 37, 11, (int)MatType.CV_8UC4);
        data.Add(".webp", 37, 11, (int)MatType.CV_8UC4);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void TryReadSize_returns_the_encoded_size(string extension, int width, int height, int type)
    {
        var bytes = ImagingTestData.Encode(extension, width, height, type);
        var format = ImageFormatDetector.Identify(bytes);

        Assert.True(ImageHeader.TryReadSize(bytes, format, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Theory]
    [InlineData(37, 11)]
    [InlineData(640, 480)]
    public void TryReadSize_reads_lossless_VP8L_webp(int width, int height)
    {
        var bytes = ImagingTestData.Encode(".webp", width, height, MatType.CV_8UC3, (int)ImwriteFlags.WebPQuality, 101);
        Assert.Equal("VP8L", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));

        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.WebP, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Theory]
    [InlineData(37, 11, 90)]
    [InlineData(640, 480, 101)]
    public void TryReadSize_reads_the_canvas_of_an_extended_VP8X_webp(int width, int height, int quality)
    {
        var simple = ImagingTestData.Encode(".webp", width, height, MatType.CV_8UC3, (int)ImwriteFlags.WebPQuality, quality);
        var extended = ImagingTestData.ToVp8XWithExif(simple, width, height, ImagingTestData.ExifBlock(true, 6));

        Assert.True(ImageHeader.TryReadSize(extended, ImageFormat.WebP, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Theory]
    [InlineData(37, 11)]
    [InlineData(640, 480)]
    public void TryReadSize_reads_a_progressive_jpeg_from_its_SOF2(int width, int height)
    {
        var bytes = ImagingTestData.Encode(".jpg", width, height, MatType.CV_8UC3, (int)ImwriteFlags.JpegProgressive, 1);
        Assert.True(IndexOfMarker(bytes, 0xC2) > 0, "expected a progressive (SOF2) JPEG");

        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Jpeg, out var w, out var h));
        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public void TryReadSize_skips_APPn_segments_before_the_frame_header()
    {
        var jpeg = ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg", 37, 11), ImagingTestData.ExifBlock(false, 8));

        Assert.True(ImageHeader.TryReadSize(jpeg, ImageFormat.Jpeg, out var w, out var h));
        Assert.Equal((37, 11), (w, h));
    }

    [Fact]
    public void TryReadSize_reads_a_huge_png_claim_from_IHDR_without_decoding()
    {
        var bytes = ImagingTestData.PngHeaderOnly(40000, 40000);
        var stopwatch = Stopwatch.StartNew();

        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Png, out var w, out var h));

        Assert.Equal((40000, 40000), (w, h));
        Assert.True(stopwatch.ElapsedMilliseconds < 100, $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void TryReadSize_rejects_png_sizes_beyond_int_range_and_zero()
    {
        Assert.False(ImageHeader.TryReadSize(ImagingTestData.PngHeaderOnly(0x80000000, 1), ImageFormat.Png, out _, out _));
        Assert.False(ImageHeader.TryReadSize(ImagingTestData.PngHeaderOnly(10, 0), ImageFormat.Png, out _, out _));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void TryReadSize_reads_tiff_in_both_byte_orders_with_SHORT_or_LONG_sizes(bool littleEndian, bool sizesAsLong)
    {
        var bytes = ImagingTestData.HandMadeTiff(37, 11, littleEndian, sizesAsLong);
        using (var decoded = Cv2.ImDecode(bytes, ImreadModes.Unchanged))
        {
            Assert.Equal(new Size(37, 11), decoded.Size()); // The hand-made file is a real TIFF.
        }

        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Tiff, out var w, out var h));
        Assert.Equal((37, 11), (w, h));
    }

    [Fact]
    public void TryReadSize_reads_a_tiff_size_above_65535_stored_as_LONG()
    {
        var bytes = ImagingTestData.HandMadeTiff(70000, 1, littleEndian: false, sizesAsLong: true)[..200];

        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Tiff, out var w, out var h));
        Assert.Equal((70000, 1), (w, h));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryReadSize_and_Read_understand_BigTIFF_headers(bool littleEndian)
    {
        // Header (16 bytes) then IFD0 with 8-byte count, 20-byte entries and 8-byte value fields.
        var bytes = new byte[16 + 8 + 3 * 20 + 8];
        void U16(int at, ushort v) { if (littleEndian) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), v); }
        void U32(int at, uint v) { if (littleEndian) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), v); }
        void U64(int at, ulong v) { if (littleEndian) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), v); else BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(at), v); }
        bytes[0] = bytes[1] = (byte)(littleEndian ? 'I' : 'M');
        U16(2, 43);
        U16(4, 8);
        U64(8, 16);
        U64(16, 3);
        (ushort Tag, ushort Type, uint Value)[] entries = [(256, 3, 37), (257, 4, 70000), (0x0112, 3, 6)];
        for (var i = 0; i < entries.Length; i++)
        {
            var at = 24 + i * 20;
            U16(at, entries[i].Tag);
            U16(at + 2, entries[i].Type);
            U64(at + 4, 1);
            if (entries[i].Type == 3) U16(at + 12, (ushort)entries[i].Value); else U32(at + 12, entries[i].Value);
        }

        Assert.Equal(ImageFormat.Tiff, ImageFormatDetector.Detect(bytes));
        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Tiff, out var w, out var h));
        Assert.Equal((37, 70000), (w, h));
        Assert.Equal(6, ExifOrientation.Read(bytes, ImageFormat.Tiff));
        Assert.False(ImageHeader.TryReadSize(bytes.AsSpan(0, 24 + 2 * 20 - 1), ImageFormat.Tiff, out _, out _));
    }

    [Fact]
    public void TryReadSize_reads_an_os2_BITMAPCOREHEADER_bmp()
    {
        var bytes = new byte[26 + 6];
        "BM"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), (uint)bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10), 26);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(14), 12);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), 300);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(24), 24);

        Assert.Equal(ImageFormat.Bmp, ImageFormatDetector.Detect(bytes));
        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Bmp, out var w, out var h));
        Assert.Equal((300, 2), (w, h));
    }

    [Fact]
    public void TryReadSize_returns_the_absolute_height_of_a_top_down_bmp()
    {
        var bytes = ImagingTestData.Encode(".bmp", 37, 11);
        Assert.Equal(40u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(14)));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), -11);

        Assert.True(ImageHeader.TryReadSize(bytes, ImageFormat.Bmp, out var w, out var h));
        Assert.Equal((37, 11), (w, h));
    }

    [Fact]
    public void TryReadSize_rejects_a_bmp_with_int_MinValue_height()
    {
        var bytes = ImagingTestData.Encode(".bmp", 37, 11);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), int.MinValue);

        Assert.False(ImageHeader.TryReadSize(bytes, ImageFormat.Bmp, out _, out _));
    }

    public static TheoryData<string, int> TruncationCases => new()
    {
        { ".jpg", 90 }, { ".jpg", 100 }, { ".png", 0 }, { ".webp", 90 }, { ".webp", 101 }, { ".bmp", 0 }, { ".tiff", 0 },
    };

    [Theory]
    [MemberData(nameof(TruncationCases))]
    public void TryReadSize_returns_false_for_every_prefix_that_cuts_the_size_fields_and_true_once_they_are_complete(string extension, int webpOrJpegQuality)
    {
        var parameters = webpOrJpegQuality == 0
            ? []
            : new[] { extension == ".jpg" ? (int)ImwriteFlags.JpegQuality : (int)ImwriteFlags.WebPQuality, webpOrJpegQuality };
        var bytes = ImagingTestData.Encode(extension, 37, 11, MatType.CV_8UC3, parameters);
        var format = ImageFormatDetector.Identify(bytes);
        var needed = HeaderLength(bytes, format);

        for (var n = 0; n < needed; n++)
        {
            Assert.False(ImageHeader.TryReadSize(bytes.AsSpan(0, n), format, out var w, out var h), $"prefix of {n} bytes");
            Assert.Equal((0, 0), (w, h));
        }

        Assert.True(ImageHeader.TryReadSize(bytes.AsSpan(0, needed), format, out var width, out var height));
        Assert.Equal((37, 11), (width, height));
    }

    [Fact]
    public void TryReadSize_returns_false_for_a_jpeg_without_any_frame_header()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x0B, 0x00, 0x25, 0xFF, 0xD9];

        // The C0 after SOS is entropy-coded data, not a frame header.
        Assert.False(ImageHeader.TryReadSize(jpeg, ImageFormat.Jpeg, out _, out _));
    }

    [Fact]
    public void TryReadSize_survives_hostile_tiff_offsets_and_counts()
    {
        var tiff = ImagingTestData.HandMadeTiff(37, 11, littleEndian: true, sizesAsLong: true);

        var badIfd = (byte[])tiff.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badIfd.AsSpan(4), 0xFFFFFFF0);
        Assert.False(ImageHeader.TryReadSize(badIfd, ImageFormat.Tiff, out _, out _));

        var hugeCount = tiff[..30]; // Header, the count, one whole entry (ImageWidth) and part of the next.
        BinaryPrimitives.WriteUInt16LittleEndian(hugeCount.AsSpan(8), 0xFFFF);
        Assert.False(ImageHeader.TryReadSize(hugeCount, ImageFormat.Tiff, out _, out _));

        var wrongType = (byte[])tiff.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(wrongType.AsSpan(10 + 2), 2); // ImageWidth as ASCII
        Assert.False(ImageHeader.TryReadSize(wrongType, ImageFormat.Tiff, out _, out _));

        var outOfLine = (byte[])tiff.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(outOfLine.AsSpan(10 + 4), 3); // 3 LONGs: value field becomes an offset...
        BinaryPrimitives.WriteUInt32LittleEndian(outOfLine.AsSpan(10 + 8), 0x7FFFFFFF); // ...pointing far outside.
        Assert.False(ImageHeader.TryReadSize(outOfLine, ImageFormat.Tiff, out _, out _));
    }

    [Fact]
    public void TryReadSize_returns_false_when_the_format_does_not_match_the_data()
    {
        var png = ImagingTestData.Encode(".png");

        foreach (var format in new[] { ImageFormat.Jpeg, ImageFormat.WebP, ImageFormat.Bmp, ImageFormat.Tiff })
        {
            Assert.False(ImageHeader.TryReadSize(png, format, out _, out _));
        }
    }

    // The shortest prefix that holds both size fields, computed from the format's layout (not from the reader).
    private static int HeaderLength(byte[] bytes, ImageFormat format)
    {
        switch (format)
        {
            case ImageFormat.Jpeg:
                var sof = IndexOfMarker(bytes, 0xC0);
                Assert.True(sof > 0);
                return sof + 2 + 2 + 1 + 2 + 2; // marker, length, precision, lines, samples per line
            case ImageFormat.Png:
                return 24;
            case ImageFormat.WebP:
                return System.Text.Encoding.ASCII.GetString(bytes, 12, 4) == "VP8L" ? 20 + 5 : 20 + 10;
            case ImageFormat.Bmp:
                return 26;
            default:
                var ifd = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
                var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(ifd));
                for (var i = 0; i < count; i++)
                {
                    if (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(ifd + 2 + i * 12)) == 257)
                    {
                        return ifd + 2 + (i + 1) * 12;
                    }
                }

                throw new InvalidOperationException("no ImageLength in OpenCV's TIFF");
        }
    }

    private static int IndexOfMarker(byte[] bytes, byte marker)
    {
        for (var i = 2; i < bytes.Length - 1; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] == marker)
            {
                return i;
            }
        }

        return -1;
    }
}
