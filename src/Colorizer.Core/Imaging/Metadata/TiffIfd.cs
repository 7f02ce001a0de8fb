using System.Buffers.Binary;

namespace Colorizer.Core.Imaging.Metadata;

/// <summary>
/// A TIFF image file directory with its sub-directories (EXIF, GPS, interoperability), read from and written to the
/// TIFF structure that both TIFF files and EXIF blocks use. Hand-written because the copy must keep every tag of a
/// photo as it was while dropping the thumbnail and changing a few; readers such as MetadataExtractor give values,
/// not the entries to write back. Reading is bounds-checked and never throws on malformed input.
/// </summary>
internal sealed class TiffIfd
{
    // An entry larger than this is dropped: no real tag needs it, and a forged count must not allocate gigabytes.
    private const int MaxValueBytes = 16 << 20;

    public List<TiffEntry> Entries { get; } = [];

    /// <summary>Sub-directories by the tag of the entry that points at them (34665 EXIF, 34853 GPS, 40965 interoperability).</summary>
    public Dictionary<ushort, TiffIfd> SubIfds { get; } = [];

    public TiffEntry? Find(ushort tag)
    {
        foreach (var entry in Entries)
        {
            if (entry.Tag == tag)
                return entry;
        }
        return null;
    }

    /// <summary>Adds <paramref name="entry"/>, replacing an entry with its tag.</summary>
    public void Set(TiffEntry entry)
    {
        Entries.RemoveAll(e => e.Tag == entry.Tag);
        Entries.Add(entry);
    }

    public void Remove(ushort tag) => Entries.RemoveAll(e => e.Tag == tag);

    public TiffIfd Clone()
    {
        var copy = new TiffIfd();
        copy.Entries.AddRange(Entries);
        foreach (var (tag, sub) in SubIfds)
            copy.SubIfds[tag] = sub.Clone();
        return copy;
    }

    /// <summary>
    /// Reads IFD0 of <paramref name="tiff"/> and, for the given pointer tags, their sub-directories (recursively, with
    /// the same pointer tags). Returns null when the header or IFD0 is unreadable.
    /// </summary>
    public static TiffIfd? ReadIfd0(ReadOnlySpan<byte> tiff, ReadOnlySpan<ushort> pointerTags)
    {
        if (tiff.Length < 8)
            return null;
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I')
            little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M')
            little = false;
        else
            return null;
        if (U16(tiff, 2, little) != 42)
            return null; // BigTIFF inputs keep their pixels, not their tags.
        var visited = new HashSet<uint>();
        return Read(tiff, U32(tiff, 4, little), little, pointerTags, visited, depth: 0);
    }

    private static TiffIfd? Read(ReadOnlySpan<byte> tiff, uint offset, bool little, ReadOnlySpan<ushort> pointerTags, HashSet<uint> visited, int depth)
    {
        if (depth > 4 || offset < 8 || offset > tiff.Length - 2L || !visited.Add(offset))
            return null;
        int pos = (int)offset;
        int count = U16(tiff, pos, little);
        pos += 2;
        count = Math.Min(count, (tiff.Length - pos) / 12);
        var ifd = new TiffIfd();
        for (int i = 0; i < count; i++, pos += 12)
        {
            ushort tag = U16(tiff, pos, little), type = U16(tiff, pos + 2, little);
            uint valueCount = U32(tiff, pos + 4, little);
            var (size, unit) = TiffEntry.SizeOf(type);
            if (size == 0 || valueCount == 0 || (ulong)size * valueCount > MaxValueBytes)
                continue;
            int length = (int)(size * valueCount);
            long start = pos + 8;
            if (length > 4)
            {
                start = U32(tiff, pos + 8, little);
                if (start + length > tiff.Length)
                    continue;
            }
            if (pointerTags.Contains(tag) && type is TiffEntry.TypeLong or 13 && valueCount == 1)
            {
                if (Read(tiff, U32(tiff, (int)start, little), little, pointerTags, visited, depth + 1) is { } sub)
                    ifd.SubIfds[tag] = sub;
                continue;
            }
            var value = tiff.Slice((int)start, length).ToArray();
            // IPTC is a byte stream whatever type a writer gave it (some say LONG): never swapped.
            if (!little && unit > 1 && tag != ExifTags.Iptc)
                Swap(value, unit);
            ifd.Entries.Add(new TiffEntry(tag, type, valueCount, value));
        }
        return ifd;
    }

    private static void Swap(byte[] value, int unit)
    {
        for (int at = 0; at + unit <= value.Length; at += unit)
            value.AsSpan(at, unit).Reverse();
    }

    /// <summary>An EXIF block: a little-endian TIFF header, this directory as IFD0 and its sub-directories.</summary>
    public byte[] ToTiffBlock()
    {
        var block = new byte[8 + Size()];
        "II"u8.CopyTo(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), 8);
        WriteAt(block.AsSpan(8), 8);
        return block;
    }

    /// <summary>The bytes this directory and its sub-directories take when written (each part word-aligned).</summary>
    public int Size()
    {
        int size = 2 + 12 * (Entries.Count + SubIfds.Count) + 4;
        foreach (var entry in Entries)
        {
            if (entry.Value.Length > 4)
                size += Even(entry.Value.Length);
        }
        foreach (var sub in SubIfds.Values)
            size += sub.Size();
        return size;
    }

    /// <summary>
    /// Writes this directory at the start of <paramref name="destination"/>, which lies at <paramref name="offset"/>
    /// (even) in the file: every offset written is absolute. <paramref name="destination"/> holds <see cref="Size"/> bytes.
    /// </summary>
    public void WriteAt(Span<byte> destination, uint offset)
    {
        var all = new List<(ushort Tag, TiffEntry? Entry, TiffIfd? Sub)>(Entries.Count + SubIfds.Count);
        all.AddRange(Entries.Select(e => (e.Tag, (TiffEntry?)e, (TiffIfd?)null)));
        all.AddRange(SubIfds.Select(s => (s.Key, (TiffEntry?)null, (TiffIfd?)s.Value)));
        // TIFF readers expect the entries in ascending tag order.
        all.Sort((a, b) => a.Tag.CompareTo(b.Tag));
        int header = 2 + 12 * all.Count + 4;
        // Out-of-line values follow the entries; the sub-directories follow the values.
        int subAt = header + Entries.Where(e => e.Value.Length > 4).Sum(e => Even(e.Value.Length));
        int data = header;
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)all.Count);
        int pos = 2;
        foreach (var (tag, entry, sub) in all)
        {
            var field = destination.Slice(pos, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(field, tag);
            if (entry is { } e)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(field[2..], e.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(field[4..], e.Count);
                if (e.Value.Length <= 4)
                {
                    e.Value.CopyTo(field[8..]);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(field[8..], offset + (uint)data);
                    e.Value.CopyTo(destination[data..]);
                    data += Even(e.Value.Length);
                }
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(field[2..], TiffEntry.TypeLong);
                BinaryPrimitives.WriteUInt32LittleEndian(field[4..], 1);
                BinaryPrimitives.WriteUInt32LittleEndian(field[8..], offset + (uint)subAt);
                int size = sub!.Size();
                sub.WriteAt(destination.Slice(subAt, size), offset + (uint)subAt);
                subAt += size;
            }
            pos += 12;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination[pos..], 0); // No next directory: the thumbnail's IFD1 is gone.
    }

    private static int Even(int length) => length + (length & 1);

    private static ushort U16(ReadOnlySpan<byte> d, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(pos, 2)) : BinaryPrimitives.ReadUInt16BigEndian(d.Slice(pos, 2));

    private static uint U32(ReadOnlySpan<byte> d, int pos, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(pos, 4)) : BinaryPrimitives.ReadUInt32BigEndian(d.Slice(pos, 4));
}
