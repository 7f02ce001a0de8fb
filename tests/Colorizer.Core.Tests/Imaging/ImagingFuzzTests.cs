using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public class ImagingFuzzTests
{
    private static List<byte[]> Seeds()
    {
        var exifLe = ImagingTestData.ExifBlock(true, 6);
        var exifBe = ImagingTestData.ExifBlock(false, 3);
        var webp = ImagingTestData.Encode(".webp", 19, 7);
        var webpLossless = ImagingTestData.Encode(".webp", 19, 7, MatType.CV_8UC3, (int)ImwriteFlags.WebPQuality, 101);
        return
        [
            ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg", 19, 7), exifLe),
            ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg", 19, 7), exifBe),
            ImagingTestData.InjectPngExif(ImagingTestData.Encode(".png", 19, 7), exifBe),
            ImagingTestData.ToVp8XWithExif(webp, 19, 7, exifLe),
            ImagingTestData.ToVp8XWithExif(webpLossless, 19, 7, exifBe),
            webp,
            ImagingTestData.Encode(".bmp", 19, 7),
            ImagingTestData.Encode(".tiff", 19, 7),
            ImagingTestData.HandMadeTiff(19, 7, littleEndian: false, sizesAsLong: true, orientation: 8),
            ImagingTestData.HandMadeTiff(19, 7, littleEndian: true, sizesAsLong: false, orientation: 5),
        ];
    }

    [Fact]
    public void Random_mutations_of_valid_files_never_make_Detect_Identify_TryReadSize_or_Read_throw()
    {
        var random = new Random(20260627);
        var seeds = Seeds();
        var formats = Enum.GetValues<ImageFormat>();
        var detected = 0;

        for (var i = 0; i < 4000; i++)
        {
            var data = (byte[])seeds[i % seeds.Count].Clone();
            var mutations = random.Next(1, 9);
            for (var m = 0; m < mutations; m++)
            {
                // Mostly hit the headers (first 128 bytes), where the parsers look.
                var pos = random.Next(4) == 0 ? random.Next(data.Length) : random.Next(Math.Min(128, data.Length));
                data[pos] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => 0xFF,
                    _ => 0x00,
                };
            }

            if (random.Next(4) == 0)
            {
                data = data[..random.Next(data.Length + 1)];
            }

            if (ImageFormatDetector.Detect(data) is not null)
            {
                detected++;
            }

            try
            {
                _ = ImageFormatDetector.Identify(data);
            }
            catch (UnsupportedImageFormatException)
            {
            }
            catch (InvalidImageException) when (data.Length == 0)
            {
            }

            foreach (var format in formats)
            {
                if (ImageHeader.TryReadSize(data, format, out var w, out var h))
                {
                    Assert.True(w > 0 && h > 0);
                }
                else
                {
                    Assert.Equal((0, 0), (w, h));
                }

                Assert.InRange(ExifOrientation.Read(data, format), 1, 8);
            }
        }

        Assert.True(detected > 1000, $"only {detected} mutated inputs were still detected; the fuzzing is too blunt");
    }
}
