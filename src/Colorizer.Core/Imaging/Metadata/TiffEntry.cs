using System.Buffers.Binary;

namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// One TIFF/EXIF directory entry with its values copied out, always in little-endian order (a big-endian source is
/// swapped on reading), so entries from any file can be written into any other.
/// </summary>
internal readonly record struct TiffEntry(ushort Tag, ushort Type, uint Count, byte[] Value)
{
    public const ushort TypeByte = 1;
    public const ushort TypeAscii = 2;
    public const ushort TypeShort = 3;
    public const ushort TypeLong = 4;
    public const ushort TypeRational = 5;
    public const ushort TypeUndefined = 7;

    /// <summary>The size of one value of <paramref name="type"/>, and of the unit that byte order swaps; 0 for an unknown type.</summary>
    public static (int Size, int Unit) SizeOf(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => (1, 1),
        3 or 8 => (2, 2),
        4 or 9 or 11 or 13 => (4, 4),
        5 or 10 => (8, 4),
        12 => (8, 8),
        _ => (0, 0),
    };

    public static TiffEntry Ascii(ushort tag, string text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return new TiffEntry(tag, TypeAscii, (uint)bytes.Length, bytes);
    }

    public static TiffEntry Short(ushort tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return new TiffEntry(tag, TypeShort, 1, bytes);
    }

    public static TiffEntry Long(ushort tag, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return new TiffEntry(tag, TypeLong, 1, bytes);
    }

    /// <summary>An unsigned rational; the value is kept to 1/1000.</summary>
    public static TiffEntry Rational(ushort tag, double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)Math.Clamp(Math.Round(value * 1000), 0, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 1000);
        return new TiffEntry(tag, TypeRational, 1, bytes);
    }

    public static TiffEntry Bytes(ushort tag, ushort type, byte[] value) => new(tag, type, (uint)value.Length, value);

    /// <summary>The first value as a number (BYTE, SHORT, LONG or RATIONAL), or null.</summary>
    public double? FirstNumber()
    {
        switch (Type)
        {
            case TypeByte when Value.Length >= 1:
                return Value[0];
            case TypeShort when Value.Length >= 2:
                return BinaryPrimitives.ReadUInt16LittleEndian(Value);
            case TypeLong when Value.Length >= 4:
                return BinaryPrimitives.ReadUInt32LittleEndian(Value);
            case TypeRational when Value.Length >= 8:
                uint denominator = BinaryPrimitives.ReadUInt32LittleEndian(Value.AsSpan(4));
                return denominator == 0 ? null : (double)BinaryPrimitives.ReadUInt32LittleEndian(Value) / denominator;
            default:
                return null;
        }
    }
}
