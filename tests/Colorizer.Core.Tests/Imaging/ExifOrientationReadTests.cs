using System.Buffers.Binary;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public class ExifOrientationReadTests
{
    public static TheoryData<ushort, bool> AllOrientationsBothByteOrders()
    {
        var data = new TheoryData<ushort, bool>();
        for (ushort o = 1; o <= 8; o++)
        {
            data.Add(o, true);
            data.Add(o, false);
        }

        return data;
    }

    public static TheoryData<ushort, bool> SomeOrientationsBothByteOrders => new()
    {
        { 3, true }, { 3, false }, { 6, true }, { 6, false }, { 8, true }, { 8, false },
    };

    [Theory]
    [MemberData(nameof(AllOrientationsBothByteOrders))]
    public void Read_finds_the_orientation_in_a_jpeg_APP1_exif_segment(ushort orientation, bool littleEndian)
    {
        var jpeg = ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg"), ImagingTestData.ExifBlock(littleEndian, orientation));

        Assert.Equal(orientation, ExifOrientation.Read(jpeg, ImageFormat.Jpeg));
    }

    [Fact]
    public void Read_finds_exif_after_the_JFIF_APP0_and_an_XMP_APP1()
    {
        var plain = ImagingTestData.Encode(".jpg");
        var xmp = "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"u8.ToArray();
        var withExif = ImagingTestData.InjectJpegExif(plain, ImagingTestData.ExifBlock(false, 7));
        // Move the EXIF segment behind APP0 and put an XMP APP1 in front of it.
        var exifSegmentLength = 2 + BinaryPrimitives.ReadUInt16BigEndian(withExif.AsSpan(4));
        var exifSegment = withExif.AsSpan(2, exifSegmentLength).ToArray();
        var app0Length = 2 + BinaryPrimitives.ReadUInt16BigEndian(plain.AsSpan(4));
        Assert.Equal(0xE0, plain[3]);
        byte[] xmpSegment = [0xFF, 0xE1, (byte)((xmp.Length + 2) >> 8), (byte)(xmp.Length + 2), .. xmp];
        byte[] jpeg = [.. plain.AsSpan(0, 2 + app0Length), .. xmpSegment, .. exifSegment, .. plain.AsSpan(2 + app0Length)];

        Assert.Equal(7, ExifOrientation.Read(jpeg, ImageFormat.Jpeg));
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color | ImreadModes.IgnoreOrientation);
        Assert.Equal(new Size(37, 11), decoded.Size()); // Still a valid JPEG.
    }

    [Theory]
    [MemberData(nameof(SomeOrientationsBothByteOrders))]
    public void Read_finds_the_orientation_in_a_png_eXIf_chunk(ushort orientation, bool littleEndian)
    {
        var png = ImagingTestData.InjectPngExif(ImagingTestData.Encode(".png"), ImagingTestData.ExifBlock(littleEndian, orientation));

        Assert.Equal(orientation, ExifOrientation.Read(png, ImageFormat.Png));
        using var decoded = Cv2.ImDecode(png, ImreadModes.Color | ImreadModes.IgnoreOrientation);
        Assert.Equal(new Size(37, 11), decoded.Size());
    }

    [Fact]
    public void Read_finds_a_png_eXIf_chunk_placed_after_IDAT()
    {
        var png = ImagingTestData.Encode(".png");
        var iend = png.Length - 12;
        byte[] withExif = [.. png.AsSpan(0, iend), .. Png.Chunk("eXIf", ImagingTestData.ExifBlock(true, 5)), .. png.AsSpan(iend)];

        Assert.Equal(5, ExifOrientation.Read(withExif, ImageFormat.Png));
    }

    [Theory]
    [MemberData(nameof(SomeOrientationsBothByteOrders))]
    public void Read_finds_the_orientation_in_a_VP8X_webp_EXIF_chunk(ushort orientation, bool littleEndian)
    {
        foreach (var quality in new[] { 90, 101 }) // Lossy VP8 and lossless VP8L inside the VP8X container.
        {
            var simple = ImagingTestData.Encode(".webp", 37, 11, MatType.CV_8UC3, (int)ImwriteFlags.WebPQuality, quality);
            var webp = ImagingTestData.ToVp8XWithExif(simple, 37, 11, ImagingTestData.ExifBlock(littleEndian, orientation));

            Assert.Equal(orientation, ExifOrientation.Read(webp, ImageFormat.WebP));
            using var decoded = Cv2.ImDecode(webp, ImreadModes.Color | ImreadModes.IgnoreOrientation);
            Assert.Equal(new Size(37, 11), decoded.Size()); // The converted file is a valid WebP.
        }
    }

    [Fact]
    public void Read_tolerates_an_Exif_prefix_inside_the_webp_EXIF_chunk()
    {
        var simple = ImagingTestData.Encode(".webp");
        byte[] prefixed = [.. "Exif\0\0"u8, .. ImagingTestData.ExifBlock(false, 6)];

        Assert.Equal(6, ExifOrientation.Read(ImagingTestData.ToVp8XWithExif(simple, 37, 11, prefixed), ImageFormat.WebP));
    }

    [Theory]
    [MemberData(nameof(SomeOrientationsBothByteOrders))]
    public void Read_finds_the_orientation_tag_in_IFD0_of_a_tiff_file(ushort orientation, bool littleEndian)
    {
        var tiff = ImagingTestData.HandMadeTiff(5, 3, littleEndian, sizesAsLong: !littleEndian, orientation);
        using (var decoded = Cv2.ImDecode(tiff, ImreadModes.Unchanged))
        {
            Assert.Equal(15, decoded.Total()); // A real TIFF (OpenCV orients TIFFs itself, so the shape may be 3×5).
        }

        Assert.Equal(orientation, ExifOrientation.Read(tiff, ImageFormat.Tiff));
    }

    [Theory]
    [InlineData(".jpg", ImageFormat.Jpeg)]
    [InlineData(".png", ImageFormat.Png)]
    [InlineData(".webp", ImageFormat.WebP)]
    [InlineData(".bmp", ImageFormat.Bmp)]
    [InlineData(".tiff", ImageFormat.Tiff)]
    public void Read_returns_1_when_there_is_no_exif(string extension, ImageFormat format)
    {
        Assert.Equal(1, ExifOrientation.Read(ImagingTestData.Encode(extension), format));
    }

    [Fact]
    public void Read_returns_1_for_a_plain_VP8X_webp_without_an_EXIF_chunk()
    {
        var exif = ImagingTestData.ExifBlock(true, 6);
        Assert.True(exif.Length % 2 == 0);
        var webp = ImagingTestData.ToVp8XWithExif(ImagingTestData.Encode(".webp"), 37, 11, exif);
        Assert.Equal(6, ExifOrientation.Read(webp, ImageFormat.WebP));
        webp.AsSpan(webp.Length - 8 - exif.Length, 4).Fill((byte)'X'); // Rename the EXIF chunk to "XXXX".

        Assert.Equal(1, ExifOrientation.Read(webp, ImageFormat.WebP));
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)9)]
    [InlineData((ushort)0xFFFF)]
    public void Read_returns_1_for_out_of_range_orientation_values(ushort value)
    {
        var jpeg = ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg"), ImagingTestData.ExifBlock(true, value));

        Assert.Equal(1, ExifOrientation.Read(jpeg, ImageFormat.Jpeg));
    }

    [Fact]
    public void Read_returns_1_for_every_truncation_of_the_exif_block_without_throwing()
    {
        var plain = ImagingTestData.Encode(".jpg");
        var exif = ImagingTestData.ExifBlock(false, 6);
        var orientationEntryEnd = 8 + 2 + 2 * 12; // Orientation is the second entry.

        for (var n = 0; n <= exif.Length; n++)
        {
            var jpeg = ImagingTestData.InjectJpegExif(plain, exif[..n]);
            var png = ImagingTestData.InjectPngExif(ImagingTestData.Encode(".png"), exif[..n]);
            var expected = n >= orientationEntryEnd ? 6 : 1;

            Assert.Equal(expected, ExifOrientation.Read(jpeg, ImageFormat.Jpeg));
            Assert.Equal(expected, ExifOrientation.Read(png, ImageFormat.Png));
        }

        // The file itself cut in the middle of the APP1 segment.
        var full = ImagingTestData.InjectJpegExif(plain, exif);
        for (var n = 0; n < 2 + 4 + 6 + orientationEntryEnd; n++)
        {
            Assert.Equal(1, ExifOrientation.Read(full.AsSpan(0, n), ImageFormat.Jpeg));
        }
    }

    [Fact]
    public void Read_returns_1_for_garbage_exif_and_hostile_lengths()
    {
        var plain = ImagingTestData.Encode(".jpg");
        var garbage = new byte[64];
        new Random(7).NextBytes(garbage);
        Assert.Equal(1, ExifOrientation.Read(ImagingTestData.InjectJpegExif(plain, garbage), ImageFormat.Jpeg));

        // IFD0 offset far outside the block.
        var exif = ImagingTestData.ExifBlock(true, 6);
        BinaryPrimitives.WriteUInt32LittleEndian(exif.AsSpan(4), 0xFFFFFFFF);
        Assert.Equal(1, ExifOrientation.Read(ImagingTestData.InjectJpegExif(plain, exif), ImageFormat.Jpeg));

        // Orientation with a count that moves its value out of line, to an offset outside the block.
        exif = ImagingTestData.ExifBlock(true, 6);
        BinaryPrimitives.WriteUInt32LittleEndian(exif.AsSpan(10 + 12 + 4), 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(exif.AsSpan(10 + 12 + 8), 0x7FFFFFF0);
        Assert.Equal(1, ExifOrientation.Read(ImagingTestData.InjectJpegExif(plain, exif), ImageFormat.Jpeg));

        // A PNG chunk length of 0xFFFFFFFF before the eXIf chunk.
        var png = ImagingTestData.InjectPngExif(ImagingTestData.Encode(".png"), ImagingTestData.ExifBlock(true, 6));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8), 0xFFFFFFFF);
        Assert.Equal(1, ExifOrientation.Read(png, ImageFormat.Png));

        // An eXIf chunk that claims more bytes than the file has.
        png = ImagingTestData.InjectPngExif(ImagingTestData.Encode(".png"), ImagingTestData.ExifBlock(true, 6));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), 0xFFFFFFF0);
        Assert.Equal(6, ExifOrientation.Read(png, ImageFormat.Png)); // The block itself is intact, so it is still read.
        Assert.Equal(1, ExifOrientation.Read(png.AsSpan(0, 33 + 8 + 20), ImageFormat.Png));

        // A WebP chunk size of 0xFFFFFFFF before the EXIF chunk.
        var webp = ImagingTestData.ToVp8XWithExif(ImagingTestData.Encode(".webp"), 37, 11, ImagingTestData.ExifBlock(true, 6));
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(16), 0xFFFFFFFF);
        Assert.Equal(1, ExifOrientation.Read(webp, ImageFormat.WebP));

        // A JPEG APP1 length of 0xFFFF on a short file, and a length below 2.
        byte[] shortJpeg = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0, (byte)'I', (byte)'I'];
        Assert.Equal(1, ExifOrientation.Read(shortJpeg, ImageFormat.Jpeg));
        byte[] zeroLength = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00, 0xFF, 0xE1, 0x00, 0x01];
        Assert.Equal(1, ExifOrientation.Read(zeroLength, ImageFormat.Jpeg));
    }

    [Fact]
    public void Read_ignores_exif_after_the_start_of_scan()
    {
        var jpeg = ImagingTestData.Encode(".jpg");
        var eoi = jpeg.Length - 2;
        var exif = ImagingTestData.ExifBlock(true, 6);
        var length = 2 + 6 + exif.Length;
        // An APP1 appended inside the entropy-coded data region (before EOI) must not be taken for metadata.
        byte[] tampered = [.. jpeg.AsSpan(0, eoi), 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. "Exif\0\0"u8, .. exif, .. jpeg.AsSpan(eoi)];

        Assert.Equal(1, ExifOrientation.Read(tampered, ImageFormat.Jpeg));
    }
}
