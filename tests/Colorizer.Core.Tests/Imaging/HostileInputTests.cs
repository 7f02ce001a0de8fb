using System.Diagnostics;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

/// <summary>
/// The decoder against files that lie: other formats behind a photo's name, empty and broken files, header bombs,
/// animations and CMYK JPEGs. (The same files go through the REST API in Colorizer.Web.Tests' ColorizeApiHostileInputTests.)
/// </summary>
public sealed class HostileInputTests
{
    public static TheoryData<string> UnsupportedNames => [.. HostileFiles.Unsupported.Keys];

    public static TheoryData<string> UndecodableNames => [.. HostileFiles.Undecodable.Keys];

    [Theory]
    [MemberData(nameof(UnsupportedNames))]
    public void OtherFormats_AreRefusedByContent_NamingWhatTheyAre(string name)
    {
        var file = HostileFiles.Unsupported[name];

        var error = Assert.Throws<UnsupportedImageFormatException>(() => ImageDecoder.Decode(file.Bytes));

        Assert.Contains(file.Named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UndecodableNames))]
    public void EmptyTruncatedAndCorruptFiles_AreInvalidImages_NamingTheFormat(string name)
    {
        var file = HostileFiles.Undecodable[name];

        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(file.Bytes));

        Assert.Contains(file.Named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AZeroByZeroPng_IsCalledEmpty_NotTruncated()
    {
        var error = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(HostileFiles.Undecodable["PNG 0×0"].Bytes));

        Assert.Contains("empty image (0×0", error.Message, StringComparison.Ordinal);
    }

    // libjpeg conceals damaged entropy-coded data (it warns and fills in), as every image viewer does: such a JPEG
    // decodes at its full size. Only a damaged header or a cut-off file is refused.
    [Fact]
    public void AJpegWithDamagedScanData_DecodesAtFullSize_AsViewersShowIt()
    {
        using var decoded = ImageDecoder.Decode(HostileFiles.JpegWithCorruptScan());

        Assert.Equal((64, 48), (decoded.Width, decoded.Height));
    }

    [Theory]
    [InlineData(40_000u, 40_000u, "longest side")]
    [InlineData(16_385u, 1u, "longest side")]
    [InlineData(1u, 16_385u, "longest side")]
    [InlineData(10_000u, 10_000u, "megapixels")]
    [InlineData(3_000_000_000u, 1u, "longest side")]
    public void HeaderBombs_AreRefusedFromTheHeader_BeforeAnyPixelIsDecoded(uint width, uint height, string limit)
    {
        byte[] bomb = Png.Bomb(width, height);
        Assert.InRange(bomb.Length, 100, 4096);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(bomb));

        Assert.Contains(limit, error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(200), $"took {clock.ElapsedMilliseconds} ms");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1 << 20, "allocated more than a megabyte");
    }

    [Fact]
    public void APngJustUnderTheSideLimit_PassesTheSizeCheck()
    {
        // 16,384×1 is allowed: the refusal above is the limit, not an accident of the bomb's shape.
        using var strip = new Mat(1, 16_384, MatType.CV_8UC1, Scalar.All(90));

        using var decoded = ImageDecoder.Decode(TestImages.Encode(strip, ".png"));

        Assert.Equal((16_384, 1), (decoded.Width, decoded.Height));
    }
}
