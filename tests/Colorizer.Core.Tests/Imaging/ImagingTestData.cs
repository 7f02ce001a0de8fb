using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

/// <summary>Generates every test file in memory: OpenCV encodings, hand-built headers and hand-injected EXIF.</summary>
internal static class ImagingTestData
{
    public static readonly string[] Extensions = [".jpg", ".png", ".webp", ".bmp", ".tiff"];

    /// <summary>A width×height image of the given type filled with a deterministic, position-dependent pattern.</summary>
    public static Mat Pattern(int width, int height, MatType type)
    {
        var mat = new Mat(height, width, type);
        var channels = type.Channels;
        var count = width * height * channels;
        var values = new short[count];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var ch = 0; ch < channels; ch++)
                {
                    var v = (x * 7 + y * 13 + ch * 50) % 256;
                    values[((y * width) + x) * channels + ch] = (short)(type.Depth == MatType.CV_16U ? v * 257 : v);
                }
            }
        }

        SetValues(mat, values);
        return mat;
    }

    /// <summary>Writes one value per element (row-major, channels interleaved) into a continuous 8U or 16U Mat.</summary>
    public static void SetValues(Mat mat, short[] values)
    {
        Assert.True(mat.IsContinuous());
        if (mat.Depth() == MatType.CV_16U)
        {
            Marshal.Copy(values, 0, mat.Data, values.Length);
        }
        else
        {
            Marshal.Copy(values.Select(v => (byte)v).ToArray(), 0, mat.Data, values.Length);
        }
    }

    /// <summary>Reads every element (row-major, channels interleaved) of a continuous 8U or 16U Mat.</summary>
    public static int[] GetValues(Mat mat)
    {
        Assert.True(mat.IsContinuous());
        var count = (int)mat.Total() * mat.Channels();
        if (mat.Depth() == MatType.CV_16U)
        {
            var s = new short[count];
            Marshal.Copy(mat.Data, s, 0, count);
            return s.Select(v => (int)(ushort)v).ToArray();
        }

        var b = new byte[count];
        Marshal.Copy(mat.Data, b, 0, count);
        return b.Select(v => (int)v).ToArray();
    }

    public static byte[] Encode(string extension, Mat mat, params int[] parameters)
    {
        Assert.True(Cv2.ImEncode(extension, mat, out var bytes, parameters), $"OpenCV could not encode {extension}");
        return bytes;
    }

    public static byte[] Encode(string extension, int width = 37, int height = 11, MatType? type = null, params int[] parameters)
    {
        using var mat = Pattern(width, height, type ?? MatType.CV_8UC3);
        return Encode(extension, mat, parameters);
    }

    /// <summary>
    /// A TIFF/EXIF structure in the given byte order whose IFD0 holds Make (ASCII, stored out of line), Orientation
    /// (SHORT) and XResolution (RATIONAL, out of line), so the reader must walk past other entries.
    /// </summary>
    public static byte[] ExifBlock(bool littleEndian, ushort orientation)
    {
        var w = new EndianWriter(littleEndian);
        w.Bytes(littleEndian ? "II"u8 : "MM"u8);
        w.U16(42);
        w.U32(8);
        const int entries = 3;
        var dataStart = 8 + 2 + entries * 12 + 4;
        w.U16(entries);
        w.Entry(0x010F, 2, 6, (uint)dataStart); // Make = "Test\0\0"
        w.U16(0x0112); w.U16(3); w.U32(1); w.U16(orientation); w.U16(0); // Orientation, SHORT, left-justified
        w.Entry(0x011A, 5, 1, (uint)dataStart + 6); // XResolution = 72/1
        w.U32(0); // No IFD1.
        w.Bytes("Test\0\0"u8);
        w.U32(72);
        w.U32(1);
        return w.ToArray();
    }

    /// <summary>Inserts an APP1 "Exif\0\0" segment right after SOI.</summary>
    public static byte[] InjectJpegExif(byte[] jpeg, byte[] tiff)
    {
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8);
        var segment = new List<byte> { 0xFF, 0xE1 };
        var length = 2 + 6 + tiff.Length;
        segment.Add((byte)(length >> 8));
        segment.Add((byte)length);
        segment.AddRange("Exif\0\0"u8.ToArray());
        segment.AddRange(tiff);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    /// <summary>Inserts an eXIf chunk (with a correct CRC) right after IHDR.</summary>
    public static byte[] InjectPngExif(byte[] png, byte[] tiff)
    {
        const int afterIhdr = 8 + 4 + 4 + 13 + 4;
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        return [.. png.AsSpan(0, afterIhdr), .. Png.Chunk("eXIf", tiff), .. png.AsSpan(afterIhdr)];
    }

    /// <summary>
    /// Turns a simple (VP8 or VP8L) WebP into an extended one: a VP8X header with the EXIF flag and the canvas size,
    /// the original image chunk, then an EXIF chunk (padded to even size); the RIFF size is fixed up.
    /// </summary>
    public static byte[] ToVp8XWithExif(byte[] webp, int width, int height, byte[] tiff)
    {
        Assert.Equal("RIFF", Encoding.ASCII.GetString(webp, 0, 4));
        Assert.Equal("WEBP", Encoding.ASCII.GetString(webp, 8, 4));
        var fourCc = Encoding.ASCII.GetString(webp, 12, 4);
        Assert.True(fourCc is "VP8 " or "VP8L", $"expected a simple WebP, got {fourCc}");

        var vp8X = new byte[18];
        "VP8X"u8.CopyTo(vp8X);
        BinaryPrimitives.WriteUInt32LittleEndian(vp8X.AsSpan(4), 10);
        vp8X[8] = 0x08; // EXIF metadata flag.
        Write24(vp8X.AsSpan(12), width - 1);
        Write24(vp8X.AsSpan(15), height - 1);

        var exif = new byte[8 + tiff.Length + (tiff.Length & 1)];
        "EXIF"u8.CopyTo(exif);
        BinaryPrimitives.WriteUInt32LittleEndian(exif.AsSpan(4), (uint)tiff.Length);
        tiff.CopyTo(exif.AsSpan(8));

        byte[] result = [.. webp.AsSpan(0, 12), .. vp8X, .. webp.AsSpan(12), .. exif];
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)(result.Length - 8));
        return result;

        static void Write24(Span<byte> s, int v)
        {
            s[0] = (byte)v;
            s[1] = (byte)(v >> 8);
            s[2] = (byte)(v >> 16);
        }
    }

    /// <summary>
    /// A minimal valid uncompressed 8-bit grayscale TIFF (one strip), in either byte order, with ImageWidth/ImageLength
    /// stored as SHORT or LONG and an optional Orientation tag.
    /// </summary>
    public static byte[] HandMadeTiff(int width, int height, bool littleEndian, bool sizesAsLong, ushort? orientation = null)
    {
        var w = new EndianWriter(littleEndian);
        var entries = orientation is null ? 8 : 9;
        var ifdSize = 2 + entries * 12 + 4;
        var pixelsAt = 8 + ifdSize;
        w.Bytes(littleEndian ? "II"u8 : "MM"u8);
        w.U16(42);
        w.U32(8);
        w.U16((ushort)entries);
        SizeEntry(256, width);
        SizeEntry(257, height);
        w.ShortEntry(258, 8); // BitsPerSample
        w.ShortEntry(259, 1); // Compression: none
        w.ShortEntry(262, 1); // Photometric: BlackIsZero
        w.Entry(273, 4, 1, (uint)pixelsAt); // StripOffsets
        if (orientation is { } o)
        {
            w.ShortEntry(0x0112, o);
        }

        w.Entry(278, 4, 1, (uint)height); // RowsPerStrip
        w.Entry(279, 4, 1, (uint)(width * height)); // StripByteCounts
        w.U32(0);
        for (var i = 0; i < width * height; i++)
        {
            w.Bytes([(byte)(i * 11)]);
        }

        return w.ToArray();

        void SizeEntry(ushort tag, int value)
        {
            if (sizesAsLong)
            {
                w.Entry(tag, 4, 1, (uint)value);
            }
            else
            {
                w.ShortEntry(tag, (ushort)value);
            }
        }
    }

    /// <summary>A hand-made PNG: signature, an IHDR claiming the given size, and the start of an IDAT (truncated).</summary>
    public static byte[] PngHeaderOnly(uint width, uint height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        byte[] idatStart = [0, 0, 0x10, 0, (byte)'I', (byte)'D', (byte)'A', (byte)'T', 0x78, 0x9C];
        return [.. Png.Signature, .. Png.Chunk("IHDR", ihdr), .. idatStart];
    }

    private sealed class EndianWriter(bool little)
    {
        private readonly List<byte> _bytes = [];

        public void Bytes(ReadOnlySpan<byte> b) => _bytes.AddRange(b.ToArray());

        public void U16(ushort v)
        {
            Span<byte> s = stackalloc byte[2];
            if (little) BinaryPrimitives.WriteUInt16LittleEndian(s, v); else BinaryPrimitives.WriteUInt16BigEndian(s, v);
            Bytes(s);
        }

        public void U32(uint v)
        {
            Span<byte> s = stackalloc byte[4];
            if (little) BinaryPrimitives.WriteUInt32LittleEndian(s, v); else BinaryPrimitives.WriteUInt32BigEndian(s, v);
            Bytes(s);
        }

        public void Entry(ushort tag, ushort type, uint count, uint value)
        {
            U16(tag);
            U16(type);
            U32(count);
            U32(value);
        }

        public void ShortEntry(ushort tag, ushort value)
        {
            U16(tag);
            U16(3);
            U32(1);
            U16(value);
            U16(0);
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
