using System.ComponentModel.DataAnnotations;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

/// <summary>
/// The structure check before decoding: the files that would keep OpenCV's decoder busy (many progressive scans, many
/// TIFF tags) are refused without being decoded, with a message that says how many, the limit and why; ordinary files
/// (progressive JPEGs from OpenCV's encoder, multi-strip TIFFs, files with metadata) and heavy files that decode in
/// ordinary time go through and decode at their size.
/// </summary>
public sealed class ImageStructureTests
{
    public static TheoryData<string> TooComplexNames => [.. HostileFiles.TooComplex.Keys];

    public static TheoryData<string> HeavyNames => [.. HostileFiles.HeavyButOrdinary.Keys];

    [Theory]
    [MemberData(nameof(TooComplexNames))]
    public void TooComplexFiles_AreRefusedBeforeDecoding_SayingHowManyAndTheLimit(string name)
    {
        var file = HostileFiles.TooComplex[name];

        var error = Assert.Throws<ImageTooComplexException>(() => ImageDecoder.Decode(file.Bytes));

        Assert.Contains(file.Named, error.Message, StringComparison.Ordinal);
        Assert.Contains("because", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HeavyNames))]
    public void HeavyFilesThatDecodeInOrdinaryTime_AreDecodedAtTheirSize(string name)
    {
        var file = HostileFiles.HeavyButOrdinary[name];

        using var decoded = ImageDecoder.Decode(file.Bytes);

        Assert.Equal((file.Width, file.Height), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void ManyScans_MessageSaysWhyAndWhatOrdinaryFilesHave()
    {
        byte[] jpeg = SlowDecodeFiles.ProgressiveJpeg(64, 48, 4999);

        var error = Assert.Throws<ImageTooComplexException>(() => ImageDecoder.Decode(jpeg));

        Assert.Equal(
            "The JPEG has 5,000 scans; at most 100 are accepted, because the decoder passes over the whole image once per scan, " +
            "so that many could take minutes (ordinary progressive JPEGs have up to about a dozen).", error.Message);
    }

    [Theory]
    [InlineData(false, 6)]
    [InlineData(true, 10)]
    public void ProgressiveJpegsFromOpenCvsEncoder_HaveTheirScriptsScans_AndPass(bool colour, int scans)
    {
        using var grey = TestImages.Grey(640, 480);
        using var image = colour ? TestImages.Colorful(640, 480) : grey.Clone();
        byte[] jpeg = TestImages.Encode(image, ".jpg", (int)ImwriteFlags.JpegProgressive, 1, (int)ImwriteFlags.JpegQuality, 95);

        Assert.Equal(scans, ImageStructure.Inspect(jpeg, ImageFormat.Jpeg).JpegScans);
        using var decoded = ImageDecoder.Decode(jpeg);
        Assert.Equal((640, 480), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void ABaselineJpeg_HasOneScan_AndItsSegmentsAreCounted()
    {
        using var grey = TestImages.Grey(64, 48);
        byte[] jpeg = TestImages.Encode(grey, ".jpg");

        var counts = ImageStructure.Inspect(jpeg, ImageFormat.Jpeg);

        Assert.Equal(1, counts.JpegScans);
        // JFIF APP0, two tables of each kind at most, the frame header: a handful.
        Assert.InRange(counts.JpegSegments, 3, 8);
        Assert.Equal(counts.JpegSegments + 1000, ImageStructure.Inspect(SlowDecodeFiles.JpegWithSegments(jpeg, 1000, 7), ImageFormat.Jpeg).JpegSegments);
    }

    [Fact]
    public void RestartMarkersInTheScanData_AreNotScans()
    {
        using var photo = TestImages.Colorful(320, 240);
        byte[] jpeg = TestImages.Encode(photo, ".jpg", (int)ImwriteFlags.JpegRstInterval, 1, (int)ImwriteFlags.JpegQuality, 100);
        var scan = jpeg.AsSpan(HostileFiles.ScanStart(jpeg));
        int restarts = 0;
        for (int i = 0; i + 1 < scan.Length; i++)
        {
            if (scan[i] == 0xFF && scan[i + 1] is >= 0xD0 and <= 0xD7)
                restarts++;
        }
        Assert.True(restarts > 250, $"{restarts} restart markers"); // one after each of the 300 MCUs but the last

        Assert.Equal(1, ImageStructure.Inspect(jpeg, ImageFormat.Jpeg).JpegScans);
    }

    [Fact]
    public void ScansAfterTheEndOfImage_AreNotCounted_AsTheDecoderNeverReadsThem()
    {
        using var grey = TestImages.Grey(64, 48);
        // A baseline JPEG with a many-scan JPEG appended (as cameras append previews after EOI).
        byte[] jpeg = [.. TestImages.Encode(grey, ".jpg"), .. SlowDecodeFiles.ProgressiveJpeg(64, 48, 500)];

        Assert.Equal(1, ImageStructure.Inspect(jpeg, ImageFormat.Jpeg).JpegScans);
        using var decoded = ImageDecoder.Decode(jpeg);
        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void JpegsWithExifIccAndXmp_Pass()
    {
        using var grey = TestImages.Grey(64, 48);
        byte[] jpeg = ImagingTestData.InjectJpegExif(TestImages.Encode(grey, ".jpg"), ImagingTestData.ExifBlock(littleEndian: true, orientation: 6));
        byte[] icc = new byte[200_000];
        // An ICC profile split into four APP2 parts, and an XMP packet.
        byte[][] parts = [.. icc.Chunk(60_000).Select((part, i) => (byte[])[.. "ICC_PROFILE\0"u8, (byte)(i + 1), 4, .. part])];
        byte[] xmp = [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. "<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"u8];
        byte[] withMetadata = [.. jpeg[..2], .. parts.SelectMany(p => Segment(0xE2, p)), .. Segment(0xE1, xmp), .. jpeg[2..]];

        using var decoded = ImageDecoder.Decode(withMetadata);

        Assert.Equal((48, 64), (decoded.Width, decoded.Height)); // upright: orientation 6 turns it
        Assert.Equal(1, ImageStructure.Inspect(withMetadata, ImageFormat.Jpeg).JpegScans);
    }

    [Fact]
    public void OrdinaryMultiStripTiffs_Pass()
    {
        using var grey = TestImages.Gradient(2000, 1500, 10, 240);
        byte[] lzw = TestImages.Encode(grey, ".tiff");
        Assert.True(TiffStripCount(lzw) > 100, "OpenCV's TIFF has many strips");

        using var decoded = ImageDecoder.Decode(lzw);

        Assert.Equal((2000, 1500), (decoded.Width, decoded.Height));
        Assert.InRange(ImageStructure.Inspect(lzw, ImageFormat.Tiff).TiffTags, 8, 20);
    }

    [Fact]
    public void TiffTags_AreCountedInTheFirstDirectory_UpToTheLimit()
    {
        byte[] atLimit = SlowDecodeFiles.TiffWithManyTags(64, 48, 990);
        byte[] over = SlowDecodeFiles.TiffWithManyTags(64, 48, 991);

        Assert.Equal(1000, ImageStructure.Inspect(atLimit, ImageFormat.Tiff).TiffTags);
        using (var decoded = ImageDecoder.Decode(atLimit))
            Assert.Equal((64, 48), (decoded.Width, decoded.Height));
        var error = Assert.Throws<ImageTooComplexException>(() => ImageDecoder.Decode(over));
        Assert.Contains("1,001 tags; at most 1,000", error.Message, StringComparison.Ordinal);
    }

    // OpenCV 4.13's PNG reader allocates a chunk's claimed length before reading it: a 200-byte file claiming 3 GB
    // took 4.5 s and 3 GB of memory before it was refused (docs/operations.md). The check finds it from the headers.
    [Theory]
    [InlineData("IDAT", 3_000_000_000u)]
    [InlineData("IDAT", uint.MaxValue)]
    [InlineData("tEXt", 100_000_000u)]
    [InlineData("iCCP", 2_000_000_000u)]
    public void APngChunkClaimingMoreThanTheFileHolds_IsRefusedAsCorrupt_BeforeDecoding(string type, uint claimed)
    {
        byte[] png = SlowDecodeFiles.PngWithOverlongChunk(HostileFiles.Valid(".png"), type, claimed);

        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(png));

        Assert.StartsWith($"The PNG file is truncated or corrupt: its {type} chunk claims {claimed:N0} bytes where ", error.Message, StringComparison.Ordinal);
        Assert.Equal(type, ImageStructure.Inspect(png, ImageFormat.Png).PngOverlongChunk?.Type);
    }

    [Fact]
    public void PngChunksThatFit_PassTheCheck_EvenWhenTheLastHasNoRoomForItsCrc()
    {
        byte[] png = HostileFiles.Valid(".png");
        var idat = Png.Chunks(png).First(c => c.Type == "IDAT");
        // Cut just after the IDAT's data: its CRC and IEND are missing, the data itself is all there.
        int end = png.AsSpan().IndexOf(idat.Data) + idat.Data.Length;

        Assert.Null(ImageStructure.Inspect(png, ImageFormat.Png).PngOverlongChunk);
        Assert.Null(ImageStructure.Inspect(png.AsSpan(..end), ImageFormat.Png).PngOverlongChunk);
        Assert.Equal("IDAT", ImageStructure.Inspect(png.AsSpan(..(end - 1)), ImageFormat.Png).PngOverlongChunk?.Type);
        foreach (var file in HostileFiles.HeavyButOrdinary.Values.Where(f => ImageFormatDetector.Detect(f.Bytes) == ImageFormat.Png))
            Assert.Null(ImageStructure.Inspect(file.Bytes, ImageFormat.Png).PngOverlongChunk);
    }

    [Fact]
    public void TheLimits_AreTheCallersToSet()
    {
        using var grey = TestImages.Grey(64, 48);
        byte[] progressive = TestImages.Encode(grey, ".jpg", (int)ImwriteFlags.JpegProgressive, 1);
        var strict = new DecodeLimits { Structure = new StructureLimits { MaxJpegScans = 5 } };
        var loose = new DecodeLimits { Structure = new StructureLimits { MaxJpegScans = 20_000, MaxTiffTags = 2_000 } };

        var error = Assert.Throws<ImageTooComplexException>(() => ImageDecoder.Decode(progressive, strict));
        Assert.Contains("6 scans; at most 5", error.Message, StringComparison.Ordinal);
        using (var decoded = ImageDecoder.Decode(HostileFiles.TooComplex["progressive JPEG with 101 scans"].Bytes, loose))
            Assert.Equal((64, 48), (decoded.Width, decoded.Height));
        using (var decoded = ImageDecoder.Decode(HostileFiles.TooComplex["TIFF with 1,510 tags"].Bytes, loose))
            Assert.Equal((64, 48), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void AReferencePhotoWithTooManyScans_IsAnUnusableReference_SayingWhy()
    {
        var error = Assert.Throws<InvalidHintsException>(() =>
            ReferencePalette.FromEncoded(HostileFiles.TooComplex["progressive JPEG of 12 MP with 10,001 scans"].Bytes));

        Assert.True(error.ConcernsReference);
        Assert.StartsWith("The reference photo cannot be used: The JPEG has 10,001 scans", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void ScanLimitsOutOfRange_AreRefusedAtStart_NamingTheSetting(int scans)
    {
        var options = new ColorizerOptions { Structure = new StructureLimits { MaxJpegScans = scans } };

        var results = options.Validate(new ValidationContext(options)).ToList();

        var result = Assert.Single(results);
        Assert.Contains("Colorizer:Structure:MaxJpegScans", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(new ColorizerOptions().Validate(new ValidationContext(new ColorizerOptions())));
    }

    [Fact]
    public void MutatedAndTruncatedFiles_NeverMakeTheInspectionThrow()
    {
        var random = new Random(20261202);
        byte[][] seeds =
        [
            SlowDecodeFiles.ProgressiveJpeg(37, 23, 20),
            SlowDecodeFiles.TiffWithManyTags(9, 7, 30),
            SlowDecodeFiles.StripTiff(9, 7, 1),
            HostileFiles.Valid(".jpg"),
            HostileFiles.Valid(".tiff"),
            SlowDecodeFiles.PngWithTextChunks(HostileFiles.Valid(".png"), 5),
        ];
        for (int i = 0; i < 3000; i++)
        {
            byte[] data = (byte[])seeds[i % seeds.Length].Clone();
            for (int m = random.Next(1, 6); m > 0; m--)
                data[random.Next(data.Length)] = random.Next(3) switch { 0 => 0xFF, 1 => 0x00, _ => (byte)random.Next(256) };
            if (random.Next(3) == 0)
                data = data[..random.Next(data.Length + 1)];
            foreach (var format in Enum.GetValues<ImageFormat>())
            {
                var counts = ImageStructure.Inspect(data, format);
                Assert.True(counts.JpegScans >= 0 && counts.JpegSegments >= 0 && counts.TiffTags >= 0);
                if (counts.PngOverlongChunk is var (_, declared, left))
                    Assert.True(declared > left && left >= 0);
            }
        }
    }

    private static byte[] Segment(byte marker, byte[] payload) =>
        [0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2), .. payload];

    private static long TiffStripCount(byte[] tiff)
    {
        // IFD0's StripOffsets count, read by hand (little-endian, as OpenCV writes).
        int ifd = BitConverter.ToInt32(tiff, 4);
        int entries = BitConverter.ToUInt16(tiff, ifd);
        for (int i = 0; i < entries; i++)
        {
            int entry = ifd + 2 + i * 12;
            if (BitConverter.ToUInt16(tiff, entry) == 273)
                return BitConverter.ToUInt32(tiff, entry + 4);
        }
        return 0;
    }
}
