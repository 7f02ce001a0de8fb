using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Colorizer.Core.Models;

/// <summary>
/// The centres of the 313 quantized ab bins, in the order of the network's output channels. The annealed mean of
/// the predicted distribution over these centres is the pixel's ab.
/// </summary>
public sealed partial class BinCentres
{
    private BinCentres(float[] a, float[] b)
    {
        A = a;
        B = b;
    }

    /// <summary>The a coordinate of each bin.</summary>
    public IReadOnlyList<float> A { get; }

    /// <summary>The b coordinate of each bin.</summary>
    public IReadOnlyList<float> B { get; }

    internal float[] AValues => (float[])A;
    internal float[] BValues => (float[])B;

    /// <summary>The release's centres, as carried in the project's <c>models/pts_in_hull.csv</c>.</summary>
    public static BinCentres Release => LazyRelease.Value;

    private static readonly Lazy<BinCentres> LazyRelease = new(() => ParseCsv(NetworkDescription.ReadEmbedded("pts_in_hull.csv")));

    internal static BinCentres ParseCsv(string text)
    {
        var a = new List<float>(NetworkDescription.BinCount);
        var b = new List<float>(NetworkDescription.BinCount);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var parts = line.Split(',');
            a.Add(float.Parse(parts[0], CultureInfo.InvariantCulture));
            b.Add(float.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        if (a.Count != NetworkDescription.BinCount)
            throw new InvalidOperationException($"The built-in bin centres have {a.Count} rows, expected {NetworkDescription.BinCount}.");
        return new BinCentres([.. a], [.. b]);
    }

    /// <summary>
    /// Reads the upstream <c>pts_in_hull.npy</c>: a NumPy int64 little-endian C-order array of shape (313, 2).
    /// Anything else is refused with a <see cref="ModelFilesException"/> saying what was found and what was expected.
    /// </summary>
    public static BinCentres ReadNpy(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new ModelFilesException(path, $"Cannot read {path}: {ex.Message}", ex);
        }
        return ParseNpy(bytes, path);
    }

    internal static BinCentres ParseNpy(ReadOnlySpan<byte> bytes, string path)
    {
        const string Expected = "a NumPy .npy file holding int64 little-endian ('<i8') values of shape (313, 2) in C order";
        ModelFilesException Wrong(string what) => new(path, $"{path} is not the bin-centre file: {what}; expected {Expected}.");

        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(magic))
            throw Wrong("it does not start with the NumPy magic bytes");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
            headerStart = 10;
        }
        else if (major is 2 or 3 && bytes.Length >= 12)
        {
            headerLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]), int.MaxValue);
            headerStart = 12;
        }
        else
        {
            throw Wrong($"format version {major} is unknown");
        }
        if (headerStart + headerLength > bytes.Length)
            throw Wrong("its header is truncated");
        string header = System.Text.Encoding.Latin1.GetString(bytes.Slice(headerStart, headerLength));

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw Wrong("its header lacks descr, fortran_order or shape");
        string dtype = descr.Groups[1].Value;
        if (dtype != "<i8")
            throw Wrong($"its dtype is '{dtype}'");
        if (fortran.Groups[1].Value != "False")
            throw Wrong("it is stored in Fortran order");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims is not ["313", "2"])
            throw Wrong($"its shape is ({shape.Groups[1].Value})");

        var data = bytes[(headerStart + headerLength)..];
        int count = NetworkDescription.BinCount * 2;
        if (data.Length != count * sizeof(long))
            throw Wrong($"it holds {data.Length} data bytes instead of {count * sizeof(long)}");
        var a = new float[NetworkDescription.BinCount];
        var b = new float[NetworkDescription.BinCount];
        for (int i = 0; i < NetworkDescription.BinCount; i++)
        {
            long av = BinaryPrimitives.ReadInt64LittleEndian(data[(16 * i)..]);
            long bv = BinaryPrimitives.ReadInt64LittleEndian(data[(16 * i + 8)..]);
            if (Math.Abs(av) > 128 || Math.Abs(bv) > 128)
                throw Wrong($"bin {i} has centre ({av}, {bv}), outside the ab range");
            a[i] = av;
            b[i] = bv;
        }
        return new BinCentres(a, b);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
