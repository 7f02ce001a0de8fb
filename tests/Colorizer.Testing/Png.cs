using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Colorizer.Testing;

/// <summary>PNG built by hand, chunk by chunk, with correct CRCs: header bombs, empty images, animations.</summary>
public static class Png
{
    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>One chunk: length, type, data, CRC-32 of type and data.</summary>
    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>An IHDR payload: 8-bit, the given colour type (0 grey, 2 RGB), no interlace.</summary>
    public static byte[] Header(uint width, uint height, byte colorType = 0)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = colorType;
        return ihdr;
    }

    /// <summary>
    /// A decompression bomb: a valid signature and IHDR claiming <paramref name="width"/>×<paramref name="height"/>
    /// grey pixels, then an IDAT whose zlib stream inflates a megabyte of zero rows from about a kilobyte, and IEND.
    /// A decoder that believed the header would allocate width×height bytes before finding the data short.
    /// </summary>
    public static byte[] Bomb(uint width, uint height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(new byte[1 << 20]);
        return Concat(Signature.ToArray(), Chunk("IHDR", Header(width, height)), Chunk("IDAT", compressed.ToArray()), Chunk("IEND", []));
    }

    /// <summary>The chunks of a PNG file (type and data), in order.</summary>
    public static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        int position = Signature.Length;
        while (position + 12 <= png.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position)));
            chunks.Add((Encoding.ASCII.GetString(png, position + 4, 4), png.AsSpan(position + 8, length).ToArray()));
            position += 12 + length;
        }
        return chunks;
    }

    /// <summary>Rebuilds a file from chunks, after the signature.</summary>
    public static byte[] FromChunks(IEnumerable<(string Type, byte[] Data)> chunks) =>
        Concat([Signature.ToArray(), .. chunks.Select(c => Chunk(c.Type, c.Data))]);

    /// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as PNG uses it.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    internal static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, offset);
            offset += part.Length;
        }
        return all;
    }
}
