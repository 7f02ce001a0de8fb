using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>
/// A PNG encoder that deflates horizontal strips in parallel (as pigz does): each strip is filtered and compressed on
/// its own and ends on a byte boundary (a sync flush), so the strips join into one valid zlib stream. It uses .NET's
/// zlib-ng. Writes grey, BGR and BGRA images of 8 or 16 bits, as OpenCV's encoder does.
/// </summary>
internal static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Strips of about 2 MB of pixels: enough of them to keep every core busy; per strip the dictionary restarts and a
    // flush marker is written, which costs well under 0.1 % of the output.
    private const int StripBytes = 2 << 20;

    /// <summary>
    /// Encodes <paramref name="image"/> (CV_8U or CV_16U; 1, 3 or 4 channels, continuous). For 8-bit images levels 1–3
    /// use the fast photo path (run-length matching only), 4–9 zlib's full matching at that level; 0 stores the rows.
    /// </summary>
    public static byte[] Encode(Mat image, int level)
    {
        using var png = Compress(image, level);
        using var output = new MemoryStream(checked((int)png.Length));
        png.WriteTo(output);
        return output.GetBuffer().Length == output.Length ? output.GetBuffer() : output.ToArray();
    }

    /// <summary>
    /// Does all the work of <see cref="Encode"/> except joining the bytes: the result can be written to a file
    /// without a copy of the whole PNG in memory.
    /// </summary>
    public static CompressedPng Compress(Mat image, int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        int depth = image.Depth(), channels = image.Channels();
        if (depth is not (MatType.CV_8U or MatType.CV_16U) || channels is not (1 or 3 or 4))
            throw new ArgumentException($"PNG takes 8- or 16-bit images with 1, 3 or 4 channels; got {image.Type()}.", nameof(image));
        if (!image.IsContinuous())
            throw new ArgumentException("The image must be continuous.", nameof(image));
        int width = image.Cols, height = image.Rows;
        int sampleBytes = depth == MatType.CV_16U ? 2 : 1;
        int pixelBytes = channels * sampleBytes;
        int rowBytes = width * pixelBytes;
        // About StripBytes of filtered rows (a filter byte each) per strip.
        int stripRows = Math.Clamp(StripBytes / (rowBytes + 1), 1, height);
        int strips = (height + stripRows - 1) / stripRows;

        var compressed = new (Mat Buffer, int Length)[strips];
        var adlers = new uint[strips];
        var crcs = new uint[strips];
        // Filtered photos have few long matches: run-length matching (distance 1) keeps flat areas small at a fraction of
        // the cost of zlib's match search, for files within a few percent of libpng's level 1 (docs/performance-notes.md).
        var compression = new ZLibCompressionOptions
        {
            CompressionLevel = level,
            // 16-bit samples' noisy low bytes defeat run-length matching; they get zlib's matching at the level.
            CompressionStrategy = level is >= 1 and <= 3 && sampleBytes == 1 ? ZLibCompressionStrategy.RunLengthEncoding : ZLibCompressionStrategy.Default,
        };
        try
        {
            Parallel.For(0, strips, strip =>
            {
                int top = strip * stripRows, rows = Math.Min(stripRows, height - top);
                int first = Math.Max(0, top - 1);
                int filteredLength = rows * (rowBytes + 1);
                // Native and freed at once: neither garbage for the GC nor buffers a pool would keep.
                using var filteredRows = new Mat(rows, rowBytes + 1, MatType.CV_8UC1);
                var filtered = Bytes(filteredRows, filteredLength);
                // The strip in PNG's sample order, with the row above it (the filter's "up" neighbour) when there is one.
                using (var view = image.RowRange(first, top + rows))
                using (var ordered = ToPngOrder(view, channels, sampleBytes))
                {
                    var pixels = Bytes(ordered, (top + rows - first) * rowBytes);
                    var zeros = top == 0 ? new byte[rowBytes] : null;
                    for (int y = 0; y < rows; y++)
                    {
                        int source = (top + y - first) * rowBytes;
                        var current = pixels.Slice(source, rowBytes);
                        var previous = zeros ?? pixels.Slice(source - rowBytes, rowBytes);
                        zeros = null;
                        var destination = filtered.Slice(y * (rowBytes + 1), rowBytes + 1);
                        destination[0] = 3; // Average: cheap to vectorise, and on grainy photos smaller than Paeth.
                        Average(current, previous, pixelBytes, destination[1..]);
                    }
                }
                adlers[strip] = Adler32(filtered);

                // Deflate never grows data by more than an eighth (zlib-ng's level 1 codes some literals on 9 bits; stored
                // blocks cost 5 bytes per 64 KB), so this native buffer always suffices; pages it leaves untouched cost
                // no memory, and like the filtered rows it is no work for the GC.
                long capacity = filteredLength + filteredLength / 8 + 1024;
                var deflated = new Mat(1, (int)capacity, MatType.CV_8UC1);
                try
                {
                    long length;
                    unsafe
                    {
                        using var buffer = new UnmanagedMemoryStream((byte*)deflated.Data, 0, capacity, FileAccess.ReadWrite);
                        using (var deflate = new DeflateStream(buffer, compression, leaveOpen: true))
                        {
                            deflate.Write(filtered);
                            // A sync flush ends the strip on a byte boundary without marking the stream's last block; only
                            // the last strip is finished (by disposing), and the bytes a dispose adds to the others are cut off.
                            deflate.Flush();
                            length = buffer.Position;
                        }
                        if (strip == strips - 1)
                            length = buffer.Position;
                    }
                    compressed[strip] = (deflated, (int)length);
                    crcs[strip] = ChunkCrc("IDAT"u8, Bytes(deflated, (int)length));
                }
                catch
                {
                    deflated.Dispose();
                    throw;
                }
            });
        }
        catch
        {
            foreach (var (buffer, _) in compressed)
                buffer?.Dispose();
            throw;
        }

        uint adler = adlers[0];
        for (int i = 1; i < strips; i++)
            adler = CombineAdler32(adler, adlers[i], (long)Math.Min(stripRows, height - i * stripRows) * (rowBytes + 1));
        return new CompressedPng(width, height, (byte)(8 * sampleBytes), channels switch { 1 => (byte)0, 3 => (byte)2, _ => (byte)6 },
            ZLibHeader(level), compressed, crcs, adler);
    }

    /// <summary>A PNG's parts, ready to be written out in order. Holds native buffers: dispose it.</summary>
    internal sealed class CompressedPng(int width, int height, byte bitDepth, byte colorType, byte[] zlibHeader,
        (Mat Buffer, int Length)[] strips, uint[] crcs, uint adler) : IDisposable
    {
        /// <summary>The PNG's size in bytes.</summary>
        public long Length { get; } = Signature.Length + (12 + 13) + (12 + zlibHeader.Length) + strips.Sum(c => 12L + c.Length) + (12 + 4) + 12;

        /// <summary>
        /// Writes the PNG: signature, IHDR, <paramref name="ancillaryChunks"/> (whole chunks, such as metadata), the zlib
        /// header, one IDAT per strip, the Adler-32, IEND.
        /// </summary>
        public void WriteTo(Stream output, ReadOnlySpan<byte> ancillaryChunks = default)
        {
            output.Write(Signature);
            Span<byte> header = stackalloc byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
            header[8] = bitDepth;
            header[9] = colorType; // grey, truecolour, truecolour with alpha
            header[10] = header[11] = header[12] = 0; // deflate, adaptive filtering, no interlace
            WriteChunk(output, "IHDR"u8, header, ChunkCrc("IHDR"u8, header));
            output.Write(ancillaryChunks);
            WriteChunk(output, "IDAT"u8, zlibHeader, ChunkCrc("IDAT"u8, zlibHeader));
            for (int i = 0; i < strips.Length; i++)
                WriteChunk(output, "IDAT"u8, Bytes(strips[i].Buffer, strips[i].Length), crcs[i]);
            Span<byte> trailer = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(trailer, adler);
            WriteChunk(output, "IDAT"u8, trailer, ChunkCrc("IDAT"u8, trailer));
            WriteChunk(output, "IEND"u8, [], ChunkCrc("IEND"u8, []));
        }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (var (buffer, _) in strips)
                buffer.Dispose();
        }
    }

    private static unsafe Span<byte> Bytes(Mat mat, int count) => new((void*)mat.Data, count);

    // PNG wants RGB(A) and big-endian samples; OpenCV holds BGR(A) in native (little-endian) order. Returns a continuous copy.
    private static Mat ToPngOrder(Mat rows, int channels, int sampleBytes)
    {
        var ordered = new Mat();
        if (channels == 3)
            Cv2.CvtColor(rows, ordered, ColorConversionCodes.BGR2RGB);
        else if (channels == 4)
            Cv2.CvtColor(rows, ordered, ColorConversionCodes.BGRA2RGBA);
        else
            rows.CopyTo(ordered);
        if (sampleBytes == 2)
        {
            var samples = MemoryMarshal.Cast<byte, ushort>(Bytes(ordered, (int)(ordered.Total() * ordered.ElemSize())));
            BinaryPrimitives.ReverseEndianness(samples, samples);
        }
        return ordered;
    }

    // PNG's Average filter: each byte minus the floor of the mean of its left and upper neighbours (raw bytes, modulo 256).
    private static void Average(ReadOnlySpan<byte> current, ReadOnlySpan<byte> previous, int pixelBytes, Span<byte> destination)
    {
        for (int i = 0; i < pixelBytes; i++)
            destination[i] = (byte)(current[i] - (previous[i] >> 1));
        int n = current.Length, at = pixelBytes;
        if (Vector.IsHardwareAccelerated)
        {
            for (; at + Vector<byte>.Count <= n; at += Vector<byte>.Count)
            {
                var left = new Vector<byte>(current[(at - pixelBytes)..]);
                var up = new Vector<byte>(previous[at..]);
                // floor((l + u) / 2) without widening: (l & u) + ((l ^ u) >> 1).
                var mean = (left & up) + Vector.ShiftRightLogical(left ^ up, 1);
                (new Vector<byte>(current[at..]) - mean).CopyTo(destination[at..]);
            }
        }
        for (; at < n; at++)
            destination[at] = (byte)(current[at] - ((current[at - pixelBytes] + previous[at]) >> 1));
    }

    private static byte[] ZLibHeader(int level)
    {
        // CMF: deflate with a 32 KB window; FLG: the level hint, and check bits making CMF·256 + FLG a multiple of 31.
        int cmf = 0x78, hint = level switch { <= 1 => 0, <= 5 => 1, 6 => 2, _ => 3 };
        int flg = hint << 6;
        flg += 31 - (cmf * 256 + flg) % 31;
        return [(byte)cmf, (byte)flg];
    }

    /// <summary>A whole chunk: length, type, data and CRC.</summary>
    internal static byte[] Chunk(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream(12 + data.Length);
        WriteChunk(output, type, data, ChunkCrc(type, data));
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, uint crc)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        output.Write(field);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(field, crc);
        output.Write(field);
    }

    private static uint ChunkCrc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }

    private const uint AdlerBase = 65521;

    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        while (data.Length > 0)
        {
            // 5552 bytes is the most that cannot overflow b before the modulo.
            int block = Math.Min(data.Length, 5552);
            Adler32Block(data[..block], ref a, ref b);
            a %= AdlerBase;
            b %= AdlerBase;
            data = data[block..];
        }
        return (b << 16) | a;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Adler32Block(ReadOnlySpan<byte> data, ref uint a, ref uint b)
    {
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            a += data[i]; b += a;
            a += data[i + 1]; b += a;
            a += data[i + 2]; b += a;
            a += data[i + 3]; b += a;
            a += data[i + 4]; b += a;
            a += data[i + 5]; b += a;
            a += data[i + 6]; b += a;
            a += data[i + 7]; b += a;
        }
        for (; i < data.Length; i++)
        {
            a += data[i];
            b += a;
        }
    }

    /// <summary>The Adler-32 of two blocks joined, from theirs and the second's length (zlib's adler32_combine).</summary>
    internal static uint CombineAdler32(uint first, uint second, long secondLength)
    {
        ulong remainder = (ulong)(secondLength % AdlerBase);
        ulong sum1 = first & 0xFFFF;
        ulong sum2 = remainder * sum1 % AdlerBase;
        sum1 += (second & 0xFFFF) + AdlerBase - 1;
        sum2 += (first >> 16) + (second >> 16) + AdlerBase - remainder;
        if (sum1 >= AdlerBase) sum1 -= AdlerBase;
        if (sum1 >= AdlerBase) sum1 -= AdlerBase;
        if (sum2 >= AdlerBase << 1) sum2 -= AdlerBase << 1;
        if (sum2 >= AdlerBase) sum2 -= AdlerBase;
        return (uint)(sum1 | (sum2 << 16));
    }
}
