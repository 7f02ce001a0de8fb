using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Imaging.Metadata;

/// <summary>Metadata that is broken or built to hurt: never an exception, never a hang, and the mark is still written.</summary>
public sealed class MetadataHostileInputTests
{
    private static readonly ColorizationMark Mark = new() { Software = "Colorizer test", Model = "test", Options = "none" };

    // A JPEG from OpenCV with one more APP1 segment after SOI.
    private static byte[] JpegWithApp1(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        using var grey = TestImages.Grey(32, 24);
        byte[] jpeg = TestImages.Encode(grey, ".jpg");
        var segment = new byte[4 + header.Length + body.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + header.Length + body.Length));
        header.CopyTo(segment.AsSpan(4));
        body.CopyTo(segment.AsSpan(4 + header.Length));
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    [Fact]
    public void EntityExpansionXmp_IsDroppedAtOnce_AndTheNoteStands()
    {
        string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">" +
            string.Concat(Enumerable.Range(1, 9).Select(i => $"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? "" : i - 1)};", 10))}\">")) +
            "]><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">" +
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:format=\"&lol9;\"/></rdf:RDF></x:xmpmeta>";
        byte[] jpeg = JpegWithApp1("http://ns.adobe.com/xap/1.0/\0"u8, Encoding.UTF8.GetBytes(bomb));

        var clock = Stopwatch.StartNew();
        ImageMetadata metadata;
        using (var decoded = ImageDecoder.Decode(jpeg))
            metadata = decoded.Metadata;
        var output = OutputMetadata.Prepare(metadata, MetadataMode.Keep, Mark, 32, 24);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Contains("colorizer:Colorized=\"True\"", output.Xmp);
        Assert.DoesNotContain("lol", output.Xmp);
    }

    [Fact]
    public void ExifWithLoopsAndForgedCounts_IsReadAsFarAsItMakesSense()
    {
        // IFD0 at 8 with two entries: an EXIF pointer back to IFD0 (a loop) and an ASCII tag claiming 1 GB.
        var tiff = new byte[8 + 2 + 24 + 4];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x010F);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1 << 30);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(18), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(22), 0x8769);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(24), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(30), 8);
        byte[] jpeg = JpegWithApp1("Exif\0\0"u8, tiff);

        ImageMetadata metadata;
        using (var decoded = ImageDecoder.Decode(jpeg))
            metadata = decoded.Metadata;
        using var grey = TestImages.Grey(32, 24);
        byte[] encoded = ImageEncoder.Encode(grey, OutputFormat.Jpeg, EncoderOptions.Default,
            OutputMetadata.Prepare(metadata, MetadataMode.Keep, Mark, 32, 24));

        // The forged tag is dropped and the loop is not followed: nothing of the input is left to keep.
        Assert.False(metadata.HasExif);
        Assert.NotEqual(-1, encoded.AsSpan().IndexOf("Colorizer test"u8));
        Assert.Equal(ImageFormat.Jpeg, ImageFormatDetector.Detect(encoded));
    }

    [Fact]
    public void TruncatedFile_GivesWhatIsWhole_AndNeverMore()
    {
        using var directory = new TemporaryDirectory();
        byte[] png = File.ReadAllBytes(MetadataSamples.Write(directory.Path, ".png"));
        var whole = MetadataReader.Read(png, ImageFormat.Png);
        Assert.True(whole.HasExif);
        Assert.True(whole.HasGps);
        Assert.Contains(MetadataSamples.Title, whole.Xmp);
        Assert.Equal(MetadataSamples.RgbProfile(), whole.IccProfile);

        for (int cut = 8; cut < png.Length; cut += 37)
        {
            var part = MetadataReader.Read(png.AsSpan(0, cut), ImageFormat.Png);
            // A chunk cut short is read as far as it goes (the XMP packet's text) or left out (a profile that does not inflate).
            // (The last character may be half of one, decoded as U+FFFD.)
            Assert.True(part.Xmp is null || whole.Xmp!.StartsWith(part.Xmp.TrimEnd('\uFFFD'), StringComparison.Ordinal), $"XMP at {cut}");
            Assert.True(part.IccProfile is null || part.IccProfile.SequenceEqual(whole.IccProfile!), $"ICC at {cut}");
        }
    }
}
