using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Colorizer.Testing;

/// <summary>
/// Writes NumPy <c>.npy</c> files, format version 1.0: the magic <c>\x93NUMPY</c>, version bytes 1 0, a little-endian
/// uint16 header length, then an ASCII header dictionary padded with spaces and ending in <c>'\n'</c> so that the
/// data starts at a multiple of the alignment, then the raw array bytes.
/// </summary>
/// <remarks>
/// The release's <c>pts_in_hull.npy</c> is int64 <c>(313, 2)</c> in C order with an 80-byte header (an older NumPy
/// aligned to 16 bytes; current NumPy aligns to 64). A reader must accept both.
/// </remarks>
public static class NpyWriter
{
    /// <summary>The alignment current NumPy uses for the start of the data.</summary>
    public const int DefaultAlignment = 64;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>
    /// Writes an int64 little-endian C-order array of <paramref name="shape"/> (e.g. <c>313, 2</c>), like the
    /// release's <c>pts_in_hull.npy</c>.
    /// </summary>
    public static void WriteInt64(string path, ReadOnlySpan<long> values, int[] shape, int alignment = DefaultAlignment)
    {
        var data = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * sizeof(long)), values[i]);
        Write(path, "<i8", fortranOrder: false, shape, data, alignment);
    }

    /// <summary>Writes the ab bin centres as an int64 <c>(N, 2)</c> array, one (a, b) row per bin.</summary>
    public static void WriteBinCentres(string path, IReadOnlyList<(int A, int B)> centres, int alignment = DefaultAlignment)
    {
        var values = new long[centres.Count * 2];
        for (int i = 0; i < centres.Count; i++)
        {
            values[2 * i] = centres[i].A;
            values[2 * i + 1] = centres[i].B;
        }
        WriteInt64(path, values, [centres.Count, 2], alignment);
    }

    /// <summary>
    /// Writes any array: <paramref name="descr"/> is the NumPy dtype string (e.g. <c>&lt;i8</c>, <c>&lt;f4</c>,
    /// <c>&gt;i8</c>), <paramref name="data"/> the raw bytes as they should appear after the header. Nothing is
    /// checked against the shape, so tests can also write malformed files.
    /// </summary>
    public static void Write(string path, string descr, bool fortranOrder, int[] shape, ReadOnlySpan<byte> data, int alignment = DefaultAlignment)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(stream, descr, fortranOrder, shape, data, alignment);
    }

    /// <summary>Writes an array to <paramref name="stream"/>; see <see cref="Write(string, string, bool, int[], ReadOnlySpan{byte}, int)"/>.</summary>
    public static void Write(Stream stream, string descr, bool fortranOrder, int[] shape, ReadOnlySpan<byte> data, int alignment = DefaultAlignment)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Header(descr, fortranOrder, shape, alignment));
        stream.Write(data);
    }

    /// <summary>
    /// The complete header (magic, version, length, dictionary, padding) for an array, e.g.
    /// <c>{'descr': '&lt;i8', 'fortran_order': False, 'shape': (313, 2), }</c>.
    /// </summary>
    public static byte[] Header(string descr, bool fortranOrder, int[] shape, int alignment = DefaultAlignment)
    {
        ArgumentException.ThrowIfNullOrEmpty(descr);
        ArgumentNullException.ThrowIfNull(shape);
        if (alignment <= 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), "The alignment must be positive.");

        string dictionary = $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {ShapeTuple(shape)}, }}";
        const int preamble = 10; // magic (6) + version (2) + header length (2)
        int unpadded = preamble + dictionary.Length + 1; // + '\n'
        int padding = (alignment - unpadded % alignment) % alignment;
        string text = dictionary + new string(' ', padding) + "\n";
        if (text.Length > ushort.MaxValue)
            throw new ArgumentException("The header is too long for format version 1.0.", nameof(shape));

        var header = new byte[preamble + text.Length];
        Magic.CopyTo(header);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, header.AsSpan(preamble));
        return header;
    }

    private static string ShapeTuple(int[] shape) => shape.Length switch
    {
        0 => "()",
        1 => "(" + shape[0].ToString(CultureInfo.InvariantCulture) + ",)",
        _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };
}
