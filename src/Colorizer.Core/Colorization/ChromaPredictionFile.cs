using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Colorizer.Core.Models;

namespace Colorizer.Core.Colorization;

/// <summary>
/// A <see cref="ChromaPrediction"/> as bytes, so a kept result can be written to disk and brought back without another
/// network pass: a 16-byte header (the magic "CZP1", the kind, the grid and the render size, little-endian) and the
/// float values as they are in memory. Reading checks every field against the others and the length, so a truncated or
/// foreign file is an <see cref="InvalidDataException"/>, never a wrong prediction.
/// </summary>
public static class ChromaPredictionFile
{
    private static ReadOnlySpan<byte> Magic => "CZP1"u8;
    private const int HeaderSize = 16;
    private const byte LogitsKind = 0, AbKind = 1;

    /// <summary>Writes <paramref name="prediction"/> to <paramref name="destination"/>.</summary>
    public static void Write(ChromaPrediction prediction, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        header[4] = prediction.HasDistribution ? LogitsKind : AbKind;
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)prediction.Rows);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], (ushort)prediction.Columns);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], (ushort)prediction.RenderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], prediction.Values.Length);
        destination.Write(header);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Predictions are written little-endian.");
        destination.Write(MemoryMarshal.AsBytes(prediction.Values.AsSpan()));
    }

    /// <summary>Reads a prediction written by <see cref="Write"/>; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static ChromaPrediction Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Span<byte> header = stackalloc byte[HeaderSize];
        source.ReadExactly(header);
        if (!header[..4].SequenceEqual(Magic))
            throw new InvalidDataException("Not a kept prediction (bad magic).");
        byte kind = header[4];
        int rows = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        int columns = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        int renderSize = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        long expected = kind switch
        {
            LogitsKind => (long)NetworkDescription.BinCount * rows * columns,
            AbKind when rows == columns => 2L * rows * columns,
            _ => -1,
        };
        if (rows == 0 || columns == 0 || renderSize == 0 || expected != count)
            throw new InvalidDataException($"A kept prediction's header does not add up (kind {kind}, {rows}×{columns}, {count} values).");
        if (source.CanSeek && source.Length - source.Position != 4L * count)
            throw new InvalidDataException($"A kept prediction holds {source.Length - source.Position} bytes of values; its header says {4L * count}.");
        var values = new float[count];
        try
        {
            source.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("A kept prediction is truncated.", ex);
        }
        return kind == LogitsKind ? new ChromaPrediction(values, rows, columns, renderSize) : ChromaPrediction.FromAb(values, rows, renderSize);
    }
}
