using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Colorizer.Testing;

/// <summary>How <see cref="SlowDecodeFiles"/> compresses a TIFF's strips or tiles (the value is TIFF's Compression tag).</summary>
public enum TiffPieces
{
    /// <summary>Deflate (zlib), 8.</summary>
    Deflate = 8,

    /// <summary>JPEG, 7: each piece a complete JPEG stream with its own tables.</summary>
    Jpeg = 7,

    /// <summary>PackBits, 32773.</summary>
    PackBits = 32773,
}

/// <summary>
/// Files within the size limits whose structure, not their pixel count, makes a decoder slow or busy: progressive JPEGs
/// with very many scans, TIFFs with huge strip or tile tables or thousands of tags, and files stuffed with metadata
/// (JPEG segments, PNG text chunks, WebP chunks) or split into many tiny chunks. Each is built by hand, valid enough
/// that the decoder keeps working through all of it (a warning at most), so the cost is the decoder's and not an
/// early error's. The counts are parameters: tests build small ones to show the refusal without decoding, the
/// benchmark (<c>--decode-cost</c>) large ones to time.
/// </summary>
public static class SlowDecodeFiles
{
    /// <summary>
    /// A grey progressive JPEG of <paramref name="width"/>×<paramref name="height"/> built scan by scan: a DC scan, then
    /// <paramref name="refinementScans"/> AC refinement scans (Ss 1, Se 63, Ah 1, Al 0) of one end-of-band run each.
    /// Every refinement scan costs the decoder a pass over all 63 coefficients of every block (it must look for
    /// coefficients to correct), yet takes only a few bytes: the scan count, not the file size, sets the decoding time.
    /// libjpeg warns about the repeated progression and keeps going.
    /// </summary>
    public static byte[] ProgressiveJpeg(int width, int height, int refinementScans)
    {
        int blocks = ((width + 7) / 8) * ((height + 7) / 8);
        using var file = new MemoryStream();
        file.Write([0xFF, 0xD8]);
        WriteSegment(file, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        WriteSegment(file, 0xC2, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        // DC table 0: one code, '0', for difference category 0. AC table 0: one code, '0', for EOB14 (a run of
        // 16,384 + 14 extra bits of blocks).
        WriteSegment(file, 0xC4, [0x00, 1, .. new byte[15], 0x00]);
        WriteSegment(file, 0xC4, [0x10, 1, .. new byte[15], 0xE0]);
        // DC first scan: one '0' bit per block.
        WriteSegment(file, 0xDA, [1, 1, 0x00, 0, 0, 0x00]);
        var dc = new BitWriter();
        for (int i = 0; i < blocks; i++)
            dc.Write(0, 1);
        file.Write(dc.ToArray());
        // Refinement scans: runs of 32,767 blocks ('0' and fourteen 1 bits) until every block is covered.
        var ac = new BitWriter();
        for (int covered = 0; covered < blocks; covered += 32_767)
        {
            ac.Write(0, 1);
            ac.Write(0x3FFF, 14);
        }
        byte[] refinement = ac.ToArray();
        for (int scan = 0; scan < refinementScans; scan++)
        {
            WriteSegment(file, 0xDA, [1, 1, 0x00, 1, 63, 0x10]);
            file.Write(refinement);
        }
        file.Write([0xFF, 0xD9]);
        return file.ToArray();
    }

    /// <summary>
    /// <paramref name="jpeg"/> with <paramref name="count"/> segments of <paramref name="marker"/> (0xFE COM, 0xE0–0xEF
    /// APPn), each with <paramref name="payloadBytes"/> bytes, inserted just after SOI.
    /// </summary>
    public static byte[] JpegWithSegments(byte[] jpeg, int count, int payloadBytes, byte marker = 0xFE)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadBytes, 65_533);
        var payload = new byte[payloadBytes];
        // An APP1 that says it is EXIF or XMP would be parsed as such; these are someone else's application data.
        "Colorizer test\0"u8[..Math.Min(15, payloadBytes)].CopyTo(payload);
        using var file = new MemoryStream();
        file.Write(jpeg.AsSpan(0, 2));
        var segment = new byte[4 + payloadBytes];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payloadBytes + 2));
        payload.CopyTo(segment.AsSpan(4));
        for (int i = 0; i < count; i++)
            file.Write(segment);
        file.Write(jpeg.AsSpan(2));
        return file.ToArray();
    }

    /// <summary>
    /// A grey 8-bit TIFF of <paramref name="width"/>×<paramref name="height"/> in strips of <paramref name="rowsPerStrip"/>
    /// rows, PackBits-compressed; every strip points at the same few bytes, so the strip table is most of the file.
    /// <paramref name="declaredStrips"/> makes the StripOffsets and StripByteCounts tables that long instead of one entry per strip.
    /// </summary>
    public static byte[] StripTiff(int width, int height, int rowsPerStrip, TiffPieces compression = TiffPieces.PackBits, int? declaredStrips = null)
    {
        int strips = declaredStrips ?? (height + rowsPerStrip - 1) / rowsPerStrip;
        byte[] strip = Piece(width, rowsPerStrip, compression);
        return Tiff(width, height, strip, strips, [(278, 4, (uint)rowsPerStrip)], offsetsTag: 273, countsTag: 279, extraTags: 0, compression);
    }

    /// <summary>
    /// A grey 8-bit TIFF of <paramref name="width"/>×<paramref name="height"/> in <paramref name="tileSide"/>-pixel tiles
    /// (16, the smallest TIFF allows, gives the largest table), PackBits-compressed, every tile the same few bytes.
    /// </summary>
    public static byte[] TiledTiff(int width, int height, int tileSide, TiffPieces compression = TiffPieces.PackBits)
    {
        int tiles = ((width + tileSide - 1) / tileSide) * ((height + tileSide - 1) / tileSide);
        byte[] tile = Piece(tileSide, tileSide, compression);
        return Tiff(width, height, tile, tiles, [(322, 4, (uint)tileSide), (323, 4, (uint)tileSide)], offsetsTag: 324, countsTag: 325, extraTags: 0, compression);
    }

    // One strip or tile of black, compressed.
    private static byte[] Piece(int width, int height, TiffPieces compression) => compression switch
    {
        TiffPieces.Deflate => Deflate(new byte[width * height]),
        TiffPieces.Jpeg => JpegPiece(width, height),
        _ => PackBitsZeros(width * height),
    };

    private static byte[] JpegPiece(int width, int height)
    {
        using var black = new OpenCvSharp.Mat(height, width, OpenCvSharp.MatType.CV_8UC1, OpenCvSharp.Scalar.All(0));
        return TestImages.Encode(black, ".jpg");
    }

    /// <summary>
    /// An ordinary one-strip grey TIFF whose first directory also holds <paramref name="unknownTags"/> (at most 31,000)
    /// tags no reader knows.
    /// </summary>
    public static byte[] TiffWithManyTags(int width, int height, int unknownTags) =>
        Tiff(width, height, PackBitsZeros(width * height), 1, [(278, 4, (uint)height)], offsetsTag: 273, countsTag: 279, extraTags: unknownTags);

    /// <summary>A TIFF of <paramref name="pages"/> 8×8 grey pages, each directory chained to the next.</summary>
    public static byte[] MultiPageTiff(int pages)
    {
        using var file = new MemoryStream();
        var writer = new BinaryWriter(file);
        writer.Write("II"u8);
        writer.Write((ushort)42);
        writer.Write(8u);
        byte[] pixels = new byte[64];
        const int entries = 9;
        int ifdBytes = 2 + entries * 12 + 4;
        for (int page = 0; page < pages; page++)
        {
            uint ifd = (uint)file.Position;
            uint data = ifd + (uint)ifdBytes;
            uint next = page + 1 < pages ? data + (uint)pixels.Length : 0;
            writer.Write((ushort)entries);
            Entry(writer, 256, 4, 1, 8);
            Entry(writer, 257, 4, 1, 8);
            Entry(writer, 258, 3, 1, 8);
            Entry(writer, 259, 3, 1, 1);
            Entry(writer, 262, 3, 1, 1);
            Entry(writer, 273, 4, 1, data);
            Entry(writer, 277, 3, 1, 1);
            Entry(writer, 278, 4, 1, 8);
            Entry(writer, 279, 4, 1, (uint)pixels.Length);
            writer.Write(next);
            writer.Write(pixels);
        }
        writer.Flush();
        return file.ToArray();
    }

    /// <summary>
    /// <paramref name="png"/> with <paramref name="count"/> ancillary chunks of <paramref name="type"/> (<c>tEXt</c>,
    /// <c>zTXt</c>, <c>iTXt</c> or a private type) inserted before its first IDAT, each holding
    /// <paramref name="textBytes"/> characters under its own keyword.
    /// </summary>
    public static byte[] PngWithTextChunks(byte[] png, int count, string type = "tEXt", int textBytes = 16)
    {
        var chunks = Png.Chunks(png);
        int idat = chunks.FindIndex(c => c.Type == "IDAT");
        string text = new('x', textBytes);
        byte[] compressed = Deflate(Encoding.Latin1.GetBytes(text));
        var inserted = new List<(string, byte[])>(count);
        for (int i = 0; i < count; i++)
        {
            byte[] keyword = Encoding.Latin1.GetBytes($"Comment{i}");
            byte[] data = type switch
            {
                "zTXt" => [.. keyword, 0, 0, .. compressed],
                "iTXt" => [.. keyword, 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(text)],
                _ => [.. keyword, 0, .. Encoding.Latin1.GetBytes(text)],
            };
            inserted.Add((type, data));
        }
        chunks.InsertRange(idat, inserted);
        return Png.FromChunks(chunks);
    }

    /// <summary>
    /// <paramref name="png"/> with one zTXt chunk before its image data whose text inflates to
    /// <paramref name="inflatedBytes"/> bytes (a zlib bomb: about a thousandth of that compressed).
    /// </summary>
    public static byte[] PngWithZtxtBomb(byte[] png, int inflatedBytes)
    {
        var chunks = Png.Chunks(png);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int left = inflatedBytes; left > 0; left -= zeros.Length)
                zlib.Write(zeros, 0, Math.Min(left, zeros.Length));
        }
        chunks.Insert(chunks.FindIndex(c => c.Type == "IDAT"), ("zTXt", [.. "Comment"u8, 0, 0, .. compressed.ToArray()]));
        return Png.FromChunks(chunks);
    }

    /// <summary>
    /// <paramref name="png"/> with the length field of its first chunk of <paramref name="type"/> set to
    /// <paramref name="declaredLength"/> (its CRC left as it was), or, for a type it lacks, with such a chunk's header
    /// inserted before its first IDAT: a chunk that claims far more bytes than the file has.
    /// </summary>
    public static byte[] PngWithOverlongChunk(byte[] png, string type, uint declaredLength)
    {
        int position = 8;
        while (position + 8 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            string found = Encoding.ASCII.GetString(png, position + 4, 4);
            if (found == type)
            {
                var copy = (byte[])png.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(position), declaredLength);
                return copy;
            }
            if (found == "IDAT")
            {
                var header = new byte[8];
                BinaryPrimitives.WriteUInt32BigEndian(header, declaredLength);
                Encoding.ASCII.GetBytes(type, header.AsSpan(4));
                return [.. png[..position], .. header, .. png[position..]];
            }
            position += 12 + length;
        }
        throw new ArgumentException("No IDAT.");
    }

    /// <summary>
    /// <paramref name="png"/> with its image data cut into IDAT chunks of <paramref name="bytesPerChunk"/> bytes, followed
    /// by <paramref name="emptyChunks"/> empty IDAT chunks (valid: the data is the chunks' concatenation).
    /// </summary>
    public static byte[] PngWithManyIdatChunks(byte[] png, int bytesPerChunk, int emptyChunks)
    {
        var chunks = Png.Chunks(png);
        byte[] data = [.. chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data)];
        int first = chunks.FindIndex(c => c.Type == "IDAT");
        chunks.RemoveAll(c => c.Type == "IDAT");
        var idats = new List<(string, byte[])>();
        for (int at = 0; at < data.Length; at += bytesPerChunk)
            idats.Add(("IDAT", data[at..Math.Min(data.Length, at + bytesPerChunk)]));
        for (int i = 0; i < emptyChunks; i++)
            idats.Add(("IDAT", []));
        chunks.InsertRange(first, idats);
        return Png.FromChunks(chunks);
    }

    /// <summary>
    /// A grey 8-bit Adam7-interlaced PNG of <paramref name="width"/>×<paramref name="height"/> (OpenCV's encoder does not
    /// interlace), every pixel <paramref name="level"/>.
    /// </summary>
    public static byte[] InterlacedPng(int width, int height, byte level)
    {
        ReadOnlySpan<int> startX = [0, 4, 0, 2, 0, 1, 0], startY = [0, 0, 4, 0, 2, 0, 1];
        ReadOnlySpan<int> stepX = [8, 8, 4, 4, 2, 2, 1], stepY = [8, 8, 8, 4, 4, 2, 2];
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int pass = 0; pass < 7; pass++)
            {
                int columns = (width - startX[pass] + stepX[pass] - 1) / stepX[pass];
                int rows = (height - startY[pass] + stepY[pass] - 1) / stepY[pass];
                if (columns <= 0 || rows <= 0)
                    continue;
                var row = new byte[1 + columns];
                row.AsSpan(1).Fill(level);
                for (int y = 0; y < rows; y++)
                    zlib.Write(row);
            }
        }
        byte[] header = Png.Header((uint)width, (uint)height);
        header[12] = 1;
        return Png.FromChunks([("IHDR", header), ("IDAT", compressed.ToArray()), ("IEND", [])]);
    }

    /// <summary>
    /// <paramref name="webp"/> (a simple VP8 or VP8L file) rewritten as an extended (VP8X) file with
    /// <paramref name="count"/> unknown chunks of <paramref name="chunkBytes"/> bytes before its image data, where a
    /// decoder must walk past them.
    /// </summary>
    public static byte[] WebPWithChunks(byte[] webp, int width, int height, int count, int chunkBytes)
    {
        using var file = new MemoryStream();
        var writer = new BinaryWriter(file);
        writer.Write("RIFF"u8);
        writer.Write(0u);
        writer.Write("WEBP"u8);
        writer.Write("VP8X"u8);
        writer.Write(10u);
        writer.Write(0u);
        writer.Write((byte)(width - 1));
        writer.Write((ushort)((width - 1) >> 8));
        writer.Write((byte)(height - 1));
        writer.Write((ushort)((height - 1) >> 8));
        var payload = new byte[chunkBytes + (chunkBytes & 1)];
        for (int i = 0; i < count; i++)
        {
            writer.Write("ZZZZ"u8);
            writer.Write((uint)chunkBytes);
            writer.Write(payload);
        }
        writer.Write(webp.AsSpan(12));
        writer.Flush();
        byte[] bytes = file.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static void WriteSegment(Stream file, byte marker, ReadOnlySpan<byte> payload)
    {
        file.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        file.Write(payload);
    }

    // PackBits for n zero bytes: runs of up to 128 as (-(run - 1), 0).
    private static byte[] PackBitsZeros(int n)
    {
        var packed = new List<byte>();
        for (int left = n; left > 0; left -= 128)
        {
            int run = Math.Min(128, left);
            if (run == 1)
                packed.AddRange([0, 0]);
            else
                packed.AddRange([(byte)(1 - run), 0]);
        }
        return [.. packed];
    }

    // A little-endian TIFF: header, the shared pixel data, the offsets and counts tables, then IFD0 (tags ascending).
    private static byte[] Tiff(int width, int height, byte[] pieceData, int pieces, (ushort Tag, ushort Type, uint Value)[] layout,
        ushort offsetsTag, ushort countsTag, int extraTags, TiffPieces compression = TiffPieces.PackBits)
    {
        using var file = new MemoryStream();
        var writer = new BinaryWriter(file);
        writer.Write("II"u8);
        writer.Write((ushort)42);
        writer.Write(0u); // IFD0's offset, filled in below.
        uint data = (uint)file.Position;
        writer.Write(pieceData);
        if ((file.Position & 1) != 0)
            writer.Write((byte)0);
        uint offsets = (uint)file.Position;
        for (int i = 0; i < pieces; i++)
            writer.Write(data);
        uint counts = (uint)file.Position;
        for (int i = 0; i < pieces; i++)
            writer.Write((uint)pieceData.Length);
        uint ifd = (uint)file.Position;

        var entries = new List<(ushort Tag, ushort Type, uint Count, uint Value)>
        {
            (256, 4, 1, (uint)width),
            (257, 4, 1, (uint)height),
            (258, 3, 1, 8),
            (259, 3, 1, (uint)compression),
            (262, 3, 1, 1), // min-is-black
            (offsetsTag, 4, (uint)pieces, pieces == 1 ? data : offsets),
            (277, 3, 1, 1),
            (countsTag, 4, (uint)pieces, pieces == 1 ? (uint)pieceData.Length : counts),
            (284, 3, 1, 1),
        };
        foreach (var (tag, type, value) in layout)
            entries.Add((tag, type, 1, value));
        // Tags 1,000 to 31,999, a range in which libtiff knows none, each a SHORT.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(extraTags, 31_000);
        for (int i = 0; i < extraTags; i++)
            entries.Add(((ushort)(1000 + i), 3, 1, (uint)i));
        entries.Sort((a, b) => a.Tag.CompareTo(b.Tag));
        writer.Write(checked((ushort)entries.Count));
        foreach (var (tag, type, count, value) in entries)
            Entry(writer, tag, type, count, value);
        writer.Write(0u);
        writer.Flush();
        byte[] bytes = file.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), ifd);
        return bytes;
    }

    private static void Entry(BinaryWriter writer, ushort tag, ushort type, uint count, uint value)
    {
        writer.Write(tag);
        writer.Write(type);
        writer.Write(count);
        if (type == 3 && count == 1)
        {
            writer.Write((ushort)value);
            writer.Write((ushort)0);
        }
        else
        {
            writer.Write(value);
        }
    }

    private static byte[] Deflate(byte[] data)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(data);
        return compressed.ToArray();
    }

    /// <summary>JPEG entropy-coded bits, most significant first, with 0xFF bytes stuffed and 1-bit padding at the end.</summary>
    private sealed class BitWriter
    {
        private readonly MemoryStream _bytes = new();
        private int _buffer, _bits;

        public void Write(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_bits == 8)
                    Flush();
            }
        }

        public byte[] ToArray()
        {
            while (_bits != 0)
                Write(1, 1);
            return _bytes.ToArray();
        }

        private void Flush()
        {
            _bytes.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
                _bytes.WriteByte(0);
            _buffer = 0;
            _bits = 0;
        }
    }
}
