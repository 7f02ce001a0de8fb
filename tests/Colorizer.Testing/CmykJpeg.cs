using System.Buffers.Binary;
using System.Diagnostics;
using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>How a four-component JPEG is marked and what its components hold.</summary>
public enum CmykJpegKind
{
    /// <summary>CMYK with Adobe's APP14 marker (transform 0), inverted as Photoshop writes it (255 = no ink).</summary>
    AdobeCmyk,

    /// <summary>The same inverted CMYK data without any APP14 marker (decoders then assume CMYK).</summary>
    CmykWithoutAdobeMarker,

    /// <summary>YCCK (APP14 transform 2): the CMY part stored as YCbCr, K as is; what libjpeg writes for CMYK input.</summary>
    AdobeYcck,
}

/// <summary>
/// Four-component (CMYK/YCCK) JPEGs. OpenCV only writes grey and BGR JPEGs, so each component is encoded by OpenCV as
/// a grey JPEG (same quality, so the same quantization and standard Huffman tables) and the four scans are put
/// together, non-interleaved, under one four-component frame header. <see cref="ImageMagick"/> makes them with a
/// real CMYK encoder.
/// </summary>
public static class CmykJpeg
{
    /// <summary>A CMYK JPEG that shows <paramref name="grey"/> (8-bit, one channel): no C, M or Y ink, K = 255 − grey.</summary>
    public static byte[] FromGrey(Mat grey, CmykJpegKind kind)
    {
        if (grey.Type() != MatType.CV_8UC1)
            throw new ArgumentException("An 8-bit grey image is expected.", nameof(grey));
        using var full = new Mat(grey.Size(), MatType.CV_8UC1, Scalar.All(255));
        using var zero = new Mat(grey.Size(), MatType.CV_8UC1, Scalar.All(0));
        using var half = new Mat(grey.Size(), MatType.CV_8UC1, Scalar.All(128));
        // Inverted (Adobe) CMYK stores 255 − ink: C = M = Y = 255 (no ink), K = grey. As YCCK the CMY part is stored as
        // the YCbCr of R = G = B = 255 − stored CMY = 0: Y = 0, Cb = Cr = 128.
        Mat[] components = kind == CmykJpegKind.AdobeYcck ? [zero, half, half, grey] : [full, full, full, grey];
        var scans = components.Select(c => GreyJpeg.Parse(TestImages.Encode(c, ".jpg", (int)ImwriteFlags.JpegQuality, 95))).ToArray();
        foreach (var scan in scans.Skip(1))
        {
            if (!scan.Tables.SequenceEqual(scans[0].Tables))
                throw new InvalidOperationException("OpenCV's grey JPEGs do not share their tables.");
        }

        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        if (kind != CmykJpegKind.CmykWithoutAdobeMarker)
        {
            // "Adobe", version 100, flags 0 and 0, transform: 0 = CMYK, 2 = YCCK.
            byte[] adobe = [.. "Adobe"u8, 0x00, 0x64, 0, 0, 0, 0, kind == CmykJpegKind.AdobeYcck ? (byte)2 : (byte)0];
            Segment(jpeg, 0xEE, adobe);
        }
        jpeg.Write(scans[0].Tables);
        var frame = new byte[6 + 4 * 3];
        frame[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)grey.Height);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(3), (ushort)grey.Width);
        frame[5] = 4;
        for (int i = 0; i < 4; i++)
        {
            frame[6 + 3 * i] = (byte)(i + 1); // component id
            frame[7 + 3 * i] = 0x11; // no subsampling
            frame[8 + 3 * i] = 0; // quantization table 0
        }
        Segment(jpeg, 0xC0, frame);
        for (int i = 0; i < 4; i++)
        {
            // One component per scan, Huffman tables 0/0, the whole spectrum.
            Segment(jpeg, 0xDA, [1, (byte)(i + 1), 0x00, 0, 63, 0]);
            jpeg.Write(scans[i].EntropyCodedData);
        }
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    private static void Segment(Stream stream, byte marker, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = [0xFF, marker, 0, 0];
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(payload.Length + 2));
        stream.Write(header);
        stream.Write(payload);
    }

    /// <summary>An OpenCV grey baseline JPEG taken apart: its DQT and DHT segments, and its one scan's data.</summary>
    private sealed record GreyJpeg(byte[] Tables, byte[] EntropyCodedData)
    {
        public static GreyJpeg Parse(byte[] jpeg)
        {
            using var tables = new MemoryStream();
            int position = 2;
            while (position + 4 <= jpeg.Length && jpeg[position] == 0xFF)
            {
                byte marker = jpeg[position + 1];
                int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(position + 2));
                var segment = jpeg.AsSpan(position, 2 + length);
                switch (marker)
                {
                    case 0xDB or 0xC4:
                        tables.Write(segment);
                        break;
                    case 0xC0 when segment[9] != 1:
                        throw new InvalidOperationException("Not a one-component baseline JPEG.");
                    case 0xC1 or 0xC2 or 0xDD:
                        throw new InvalidOperationException("Not a baseline JPEG without restart markers.");
                    case 0xDA:
                        int start = position + 2 + length;
                        int end = jpeg.AsSpan().LastIndexOf([(byte)0xFF, (byte)0xD9]);
                        return new GreyJpeg(tables.ToArray(), jpeg[start..end]);
                }
                position += 2 + length;
            }
            throw new InvalidOperationException("No scan found.");
        }
    }
}

/// <summary>The machine's ImageMagick (<c>convert</c>), when it is the real one (<c>apt-get install imagemagick</c>).</summary>
public static class ImageMagick
{
    private static readonly Lazy<string?> LazyVersion = new(() =>
    {
        try
        {
            var (exit, output) = Run("convert", ["-version"]);
            return exit == 0 && output.Contains("ImageMagick", StringComparison.Ordinal) ? output.Split('\n')[0].Trim() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    });

    /// <summary>Its version line, or null when <c>convert</c> is missing or is not ImageMagick.</summary>
    public static string? Version => LazyVersion.Value;

    /// <summary>What to tell a developer whose machine lacks it.</summary>
    public const string Missing = "ImageMagick's convert is needed to make a CMYK JPEG with a real encoder: " +
        "run ./scripts/install-deps.sh --test (or apt-get install imagemagick).";

    /// <summary>Runs <c>convert input.{inExtension} args… output.{outExtension}</c> on <paramref name="input"/> and returns the output.</summary>
    public static byte[] Convert(byte[] input, string inExtension, string outExtension, params string[] arguments)
    {
        using var folder = new TemporaryDirectory();
        string source = folder.File("in" + inExtension), target = folder.File("out" + outExtension);
        File.WriteAllBytes(source, input);
        var (exit, output) = Run("convert", [source, .. arguments, target]);
        if (exit != 0)
            throw new InvalidOperationException($"convert failed ({exit}): {output}");
        return File.ReadAllBytes(target);
    }

    private static (int Exit, string Output) Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        // One thread: the images are tiny, and an OpenMP team spinning on every core would slow the tests beside it.
        start.Environment["MAGICK_THREAD_LIMIT"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in 30 s.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
