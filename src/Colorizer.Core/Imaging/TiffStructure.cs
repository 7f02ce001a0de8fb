using System.Buffers.Binary;

namespace Colorizer.Core.Imaging;

/// <summary>
/// Minimal, bounds-checked reader of a TIFF structure (a TIFF file, or the TIFF block inside EXIF):
/// finds a tag in IFD0 and returns its first integer value. Never throws on malformed input.
/// </summary>
internal static class TiffStructure
{
    private const ushort TypeByte = 1;
    private const ushort TypeShort = 3;
    private const ushort TypeLong = 4;
    private const ushort TypeLong8 = 16;

    /// <summary>True when <paramref name="data"/> starts with a classic TIFF or BigTIFF header, in either byte order.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) =>
        data.Length >= 4 &&
        ((data[0] == (byte)'I' && data[1] == (byte)'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0) ||
         (data[0] == (byte)'M' && data[1] == (byte)'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43)));

    /// <summary>
    /// Looks up <paramref name="tags"/> in IFD0 of the TIFF structure <paramref name="tiff"/> (offsets are relative to its start)
    /// and stores the first value of each found tag (BYTE, SHORT, LONG or LONG8) in <paramref name="values"/>, -1 when absent
    /// or unreadable. Returns false when the header or IFD0 itself is malformed.
    /// </summary>
    public static bool TryReadIfd0(ReadOnlySpan<byte> tiff, ReadOnlySpan<ushort> tags, Span<long> values)
    {
        values.Fill(-1);
        if (tiff.Length < 8)
        {
            return false;
        }

        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I')
        {
            little = true;
        }
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            return false;
        }

        var magic = U16(tiff, 2, little);
        bool big;
        ulong ifdOffset;
        if (magic == 42)
        {
            big = false;
            ifdOffset = U32(tiff, 4, little);
        }
        else if (magic == 43)
        {
            // BigTIFF: bytesize of offsets (8), a zero, then the 8-byte offset of IFD0.
            if (tiff.Length < 16 || U16(tiff, 4, little) != 8 || U16(tiff, 6, little) != 0)
            {
                return false;
            }

            big = true;
            ifdOffset = U64(tiff, 8, little);
        }
        else
        {
            return false;
        }

        var countSize = big ? 8 : 2;
        var entrySize = big ? 20 : 12;
        if (ifdOffset < 8 || ifdOffset > (ulong)tiff.Length - (ulong)countSize)
        {
            return false;
        }

        var pos = (int)ifdOffset;
        var count = big ? U64(tiff, pos, little) : U16(tiff, pos, little);
        pos += countSize;
        // Never trust the count: only the entries that are actually present are read.
        var available = (ulong)((tiff.Length - pos) / entrySize);
        if (count > available)
        {
            count = available;
        }

        for (var i = 0; i < (int)count; i++, pos += entrySize)
        {
            var tag = U16(tiff, pos, little);
            var index = tags.IndexOf(tag);
            if (index < 0 || values[index] >= 0)
            {
                continue;
            }

            var type = U16(tiff, pos + 2, little);
            var valueCount = big ? U64(tiff, pos + 4, little) : U32(tiff, pos + 4, little);
            if (valueCount == 0)
            {
                continue;
            }

            // The value field holds the (first) value itself for these types: 4 bytes in classic TIFF, 8 in BigTIFF.
            // A first value always sits at the start of the field when it fits there; when the values do not fit,
            // the field holds an offset to them instead, which happens only for count > 1 (or LONG8 in classic TIFF).
            var valuePos = pos + (big ? 12 : 8);
            var fieldSize = big ? 8 : 4;
            var typeSize = type switch { TypeByte => 1, TypeShort => 2, TypeLong => 4, TypeLong8 => 8, _ => 0 };
            if (typeSize == 0)
            {
                continue;
            }

            if ((ulong)typeSize * valueCount > (ulong)fieldSize)
            {
                var offset = big ? U64(tiff, valuePos, little) : U32(tiff, valuePos, little);
                if (offset > (ulong)tiff.Length - (ulong)typeSize)
                {
                    continue;
                }

                valuePos = (int)offset;
            }

            values[index] = type switch
            {
                TypeByte => tiff[valuePos],
                TypeShort => U16(tiff, valuePos, little),
                TypeLong => U32(tiff, valuePos, little),
                _ => (long)Math.Min(U64(tiff, valuePos, little), long.MaxValue),
            };
        }

        return true;
    }

    /// <summary>
    /// The number of entries of IFD0 that the file holds: its declared count, cut to the entries present. False when the
    /// header or IFD0's offset is malformed.
    /// </summary>
    public static bool TryReadIfd0EntryCount(ReadOnlySpan<byte> tiff, out long entries)
    {
        entries = 0;
        if (!TryReadHeader(tiff, out bool little, out bool big, out ulong ifdOffset))
            return false;
        int countSize = big ? 8 : 2, entrySize = big ? 20 : 12;
        if (ifdOffset < 8 || ifdOffset > (ulong)tiff.Length - (ulong)countSize)
            return false;
        int pos = (int)ifdOffset;
        ulong declared = big ? U64(tiff, pos, little) : U16(tiff, pos, little);
        ulong available = (ulong)((tiff.Length - pos - countSize) / entrySize);
        entries = (long)Math.Min(declared, available);
        return true;
    }

    // The byte order, classic or BigTIFF, and IFD0's offset.
    private static bool TryReadHeader(ReadOnlySpan<byte> tiff, out bool little, out bool big, out ulong ifdOffset)
    {
        little = big = false;
        ifdOffset = 0;
        if (tiff.Length < 8)
            return false;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I')
            little = true;
        else if (tiff[0] != (byte)'M' || tiff[1] != (byte)'M')
            return false;
        var magic = U16(tiff, 2, little);
        if (magic == 42)
        {
            ifdOffset = U32(tiff, 4, little);
            return true;
        }
        if (magic != 43 || tiff.Length < 16 || U16(tiff, 4, little) != 8 || U16(tiff, 6, little) != 0)
            return false;
        big = true;
        ifdOffset = U64(tiff, 8, little);
        return true;
    }

    private static ushort U16(ReadOnlySpan<byte> d, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(pos, 2)) : BinaryPrimitives.ReadUInt16BigEndian(d.Slice(pos, 2));

    private static uint U32(ReadOnlySpan<byte> d, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(pos, 4)) : BinaryPrimitives.ReadUInt32BigEndian(d.Slice(pos, 4));

    private static ulong U64(ReadOnlySpan<byte> d, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(pos, 8)) : BinaryPrimitives.ReadUInt64BigEndian(d.Slice(pos, 8));
}
