using System.Buffers.Binary;
using System.Text;
using OpenCvSharp;

namespace Colorizer.Testing;

/// <summary>
/// Two-frame animations built by hand from OpenCV-encoded stills (OpenCvSharp has no binding for OpenCV's animation
/// writer): an APNG (acTL, fcTL, IDAT/fdAT) and an animated WebP (VP8X with ANIM and two ANMF frames of lossless VP8L).
/// </summary>
public static class AnimatedImages
{
    /// <summary>
    /// An APNG of two frames of one size. With <paramref name="defaultImageIsFirstFrame"/> the IDAT (what a viewer
    /// without APNG support shows) is frame 1; otherwise the IDAT is a hidden default image (<paramref name="hidden"/>),
    /// and both frames are fdAT chunks.
    /// </summary>
    public static byte[] Apng(Mat first, Mat second, bool defaultImageIsFirstFrame = true, Mat? hidden = null)
    {
        if (first.Size() != second.Size())
            throw new ArgumentException("The frames must have one size.");
        var firstChunks = Png.Chunks(TestImages.Encode(first, ".png"));
        var header = firstChunks.Single(c => c.Type == "IHDR").Data;
        var secondChunks = Png.Chunks(TestImages.Encode(second, ".png"));
        if (!secondChunks.Single(c => c.Type == "IHDR").Data.AsSpan().SequenceEqual(header))
            throw new ArgumentException("The frames must have one pixel format.");
        byte[] firstData = ImageData(firstChunks);
        byte[] secondData = ImageData(secondChunks);

        int sequence = 0;
        var chunks = new List<(string, byte[])> { ("IHDR", header), ("acTL", AnimationControl(frames: 2)) };
        if (defaultImageIsFirstFrame)
        {
            chunks.Add(("fcTL", FrameControl(sequence++, first.Width, first.Height)));
            chunks.Add(("IDAT", firstData));
        }
        else
        {
            chunks.Add(("IDAT", ImageData(Png.Chunks(TestImages.Encode(hidden ?? second, ".png")))));
            chunks.Add(("fcTL", FrameControl(sequence++, first.Width, first.Height)));
            chunks.Add(("fdAT", FrameData(sequence++, firstData)));
        }
        chunks.Add(("fcTL", FrameControl(sequence++, second.Width, second.Height)));
        chunks.Add(("fdAT", FrameData(sequence, secondData)));
        chunks.Add(("IEND", []));
        return Png.FromChunks(chunks);
    }

    /// <summary>An animated WebP of two full-canvas frames, each a lossless VP8L bitstream from OpenCV.</summary>
    public static byte[] WebP(Mat first, Mat second)
    {
        if (first.Size() != second.Size())
            throw new ArgumentException("The frames must have one size.");
        int width = first.Width, height = first.Height;
        var vp8x = new byte[10];
        vp8x[0] = 0x02 | 0x10; // animation, alpha
        WriteUInt24(vp8x, 4, width - 1);
        WriteUInt24(vp8x, 7, height - 1);
        var anim = new byte[6]; // background colour 0, loop forever
        byte[] body = Png.Concat(
            "WEBP"u8.ToArray(),
            RiffChunk("VP8X", vp8x),
            RiffChunk("ANIM", anim),
            Frame(first, width, height),
            Frame(second, width, height));
        return Png.Concat("RIFF"u8.ToArray(), BitConverter.GetBytes((uint)body.Length), body);
    }

    private static byte[] Frame(Mat image, int width, int height)
    {
        byte[] still = TestImages.Encode(image, ".webp", (int)ImwriteFlags.WebPQuality, 101); // > 100: lossless
        if (Encoding.ASCII.GetString(still, 12, 4) != "VP8L")
            throw new InvalidOperationException("OpenCV did not write a simple lossless WebP.");
        var header = new byte[16]; // x/2, y/2 = 0; width-1, height-1; duration 100 ms; no blending, no disposal
        WriteUInt24(header, 6, width - 1);
        WriteUInt24(header, 9, height - 1);
        WriteUInt24(header, 12, 100);
        header[15] = 0x02; // do not blend
        return RiffChunk("ANMF", Png.Concat(header, still[12..]));
    }

    private static byte[] ImageData(List<(string Type, byte[] Data)> chunks) =>
        chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();

    private static byte[] AnimationControl(int frames)
    {
        var data = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)frames); // num_plays 0: forever
        return data;
    }

    private static byte[] FrameControl(int sequence, int width, int height)
    {
        var data = new byte[26];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)sequence);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), (uint)height);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(20), 1); // 1/10 s
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(22), 10);
        return data; // offsets 0, dispose op none, blend op source
    }

    private static byte[] FrameData(int sequence, byte[] data)
    {
        var chunk = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)sequence);
        data.CopyTo(chunk, 4);
        return chunk;
    }

    private static byte[] RiffChunk(string fourCc, byte[] payload)
    {
        var chunk = new byte[8 + payload.Length + payload.Length % 2];
        Encoding.ASCII.GetBytes(fourCc, chunk.AsSpan(0, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(chunk, 8);
        return chunk;
    }

    private static void WriteUInt24(byte[] data, int offset, int value)
    {
        data[offset] = (byte)value;
        data[offset + 1] = (byte)(value >> 8);
        data[offset + 2] = (byte)(value >> 16);
    }
}
